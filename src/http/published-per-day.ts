// The /status page's chart: how many articles were published on each of the last 30 UTC days.
import type { DayCount } from '../pages/status.ts';
import type { FeedStore } from '../store/types.ts';

const STATUS_DAYS = 30;
const DAY_MS = 86_400_000;

/** Articles published per UTC day over the last 30 days, oldest first. */
export async function perDay(store: FeedStore, now: number): Promise<DayCount[]> {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const start = today - (STATUS_DAYS - 1) * DAY_MS;
  if (store.publishedPerDay) return toDays(await store.publishedPerDay(new Date(start), STATUS_DAYS), start);
  const counts = new Array<number>(STATUS_DAYS).fill(0);
  const chunk = 1000;
  for (let offset = 0; ; offset += chunk) {
    const { items } = await store.list({ limit: chunk, offset });
    for (const { article } of items) {
      const time = article.publishedAt.getTime();
      if (time < start) return toDays(counts, start);
      const index = Math.floor((time - start) / DAY_MS);
      if (index < STATUS_DAYS) counts[index]! += 1;
    }
    if (items.length < chunk) return toDays(counts, start);
  }
}

function toDays(counts: number[], start: number): DayCount[] {
  return counts.map((articles, i) => ({ day: new Date(start + i * DAY_MS).toISOString().slice(0, 10), articles }));
}
