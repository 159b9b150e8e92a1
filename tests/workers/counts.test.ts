// The article counts D1 keeps (schema.ts `counts`) instead of counting per request: equal to a
// fresh COUNT(*) after every write of a long random run, and counted once for a database made
// before them.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { describe, expect, it } from 'vitest';
import type { FeedStore } from '../../src/store/types.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import worker from '../../src/workers/index.ts';
import { applyD1Schema, LISTING_BUCKET_BITS } from '../../src/workers/schema.ts';
import { day, makeArticle } from '../store/fixtures.ts';
import { emptyDatabase } from './d1.ts';
import { randomOperations, withoutVersions } from './differential.ts';

interface Counts {
  live: number;
  waiting: number;
  scheduled: number;
}

const kept = async (db: D1Database): Promise<Counts> => {
  const { results } = await db.prepare(`SELECT name, value FROM counts`).all<{ name: keyof Counts; value: number }>();
  return Object.fromEntries(results.map(({ name, value }) => [name, value])) as unknown as Counts;
};

const counted = async (db: D1Database): Promise<Counts> =>
  (await db
    .prepare(
      `SELECT (SELECT COUNT(*) FROM articles WHERE state = 'live') AS live,
        (SELECT COUNT(*) FROM articles WHERE state = 'waiting') AS waiting,
        (SELECT COUNT(*) FROM articles WHERE state = 'scheduled') AS scheduled`,
    )
    .first<Counts>())!;

/** listing_buckets as kept, and as counted afresh from the live articles and their terms. */
async function buckets(db: D1Database): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const bits = LISTING_BUCKET_BITS;
  const [kept, counted] = await db.batch([
    db.prepare(`SELECT scope, bucket, articles FROM listing_buckets ORDER BY scope, bucket`),
    db.prepare(`SELECT * FROM (
        SELECT section_slug AS scope, published_at >> ${bits} AS bucket, COUNT(*) AS articles FROM articles WHERE state = 'live' GROUP BY 1, 2
        UNION ALL SELECT '', published_at >> ${bits}, COUNT(*) FROM articles WHERE state = 'live' GROUP BY 2
        UNION ALL SELECT kind || ':' || slug, published_at >> ${bits}, COUNT(*) FROM article_terms GROUP BY 1, 2
      ) ORDER BY scope, bucket`),
  ]);
  return { kept: kept!.results, counted: counted!.results };
}

async function expectCountsRight(db: D1Database, store: FeedStore): Promise<void> {
  const fresh = await counted(db);
  expect(await kept(db)).toEqual(fresh);
  const status = await store.status();
  // status() publishes what is due first: counted again after it.
  const after = await counted(db);
  expect({ articles: status.articles, scheduled: status.scheduled }).toEqual({ articles: after.live, scheduled: after.scheduled });
  expect((await store.list({ limit: 0 })).total).toBe(after.live);
  const { kept: keptBuckets, counted: countedBuckets } = await buckets(db);
  expect(keptBuckets).toEqual(countedBuckets);
}

describe('D1 article counts', () => {
  it('equal a fresh COUNT after every put, removal, rejection, schedule and promotion of a random run', async () => {
    const db = await emptyDatabase();
    let clock = day(31);
    const store = createD1Store(db, { now: () => clock });
    const seen = { waiting: 0, scheduled: 0 };
    for (const operation of randomOperations(0xc0de, 200)) {
      if (operation.kind === 'tick') clock = new Date(clock.getTime() + operation.ms);
      else if (operation.kind === 'put') await store.put(operation.article);
      else if (operation.kind === 'remove') await store.remove(operation.path);
      else await store.reject(operation.path, operation.reason);
      const fresh = await counted(db);
      seen.waiting = Math.max(seen.waiting, fresh.waiting);
      seen.scheduled = Math.max(seen.scheduled, fresh.scheduled);
      await expectCountsRight(db, store);
    }
    // The run reached every state, so every trigger was at work.
    expect(seen.waiting).toBeGreaterThan(0);
    expect(seen.scheduled).toBeGreaterThan(0);
  }, 60_000);

  it('counts what a database made before them holds, once, then keeps counting', async () => {
    const db = await emptyDatabase();
    let clock = day(31);
    const store = createD1Store(db, { now: () => clock });
    await store.put(makeArticle({ path: 'news/a.md' }));
    await store.put(makeArticle({ path: 'news/b.md' }));
    await store.put(makeArticle({ path: 'news/c.md', id: 'tag:example.com,2024:news/a.md' }));
    await store.put(makeArticle({ path: 'sport/later.md', publishedAt: day(40), updatedAt: day(40) }));
    // As the release before counts left it: no tables, no triggers; a write meanwhile.
    await db.batch(
      ['articles_counted_added', 'articles_counted_removed', 'articles_counted_moved', 'listing_buckets_added', 'listing_buckets_removed', 'listing_buckets_term_added', 'listing_buckets_term_removed']
        .map((name) => db.prepare(`DROP TRIGGER ${name}`))
        .concat(db.prepare('DROP TABLE counts'), db.prepare('DROP TABLE listing_buckets')),
    );
    await db.prepare(`DELETE FROM articles WHERE state = 'live' AND path = 'news/b.md'`).run();

    await applyD1Schema(db);
    expect(await kept(db)).toEqual({ live: 1, waiting: 1, scheduled: 1 });
    const seeded = await buckets(db);
    expect(seeded.kept).toEqual(seeded.counted);
    expect(seeded.kept.length).toBeGreaterThan(3);
    await applyD1Schema(db);
    expect(await kept(db)).toEqual({ live: 1, waiting: 1, scheduled: 1 });
    clock = day(41);
    await store.remove('news/a.md');
    expect(await kept(db)).toEqual({ live: 2, waiting: 0, scheduled: 0 });
    await expectCountsRight(db, store);
  });

  it("draws /status's chart from the counts per day D1 answers", async () => {
    await emptyDatabase();
    const token = 'counts-token-0123456789abcdef';
    const call = async (path: string, init?: RequestInit): Promise<Response> => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(`https://feeds.example.com${path}`, init) as never, { DB: env.DB, PUBLISH_TOKEN: token } as never, ctx);
      await waitOnExecutionContext(ctx);
      return response as unknown as Response;
    };
    const today = new Date().toISOString().slice(0, 10);
    const dates = [`${today}T00:00:00Z`, `${today}T00:00:01Z`, '2001-01-01T00:00:00Z'];
    for (const [i, date] of dates.entries()) {
      const body = `---\ntitle: Story ${i}\ndate: ${date}\n---\n\nBody.\n`;
      expect((await call(`/api/articles/news/${i}.md`, { method: 'PUT', headers: { Authorization: `Bearer ${token}` }, body })).status).toBe(201);
    }
    const page = await (await call('/status', { headers: { Accept: 'text/html' } })).text();
    expect(page).toContain('aria-label="2 articles published in the last 30 days"');
    expect(page).toContain(`<title>${today}: 2</title>`);
  });

  it('pages as the memory store does at every depth, across bucket edges, ties and dates before 1970', async () => {
    const db = await emptyDatabase();
    const clock = day(31);
    const store = createD1Store(db, { now: () => clock });
    const memory = createMemoryStore({ now: () => clock });
    const edge = 2 ** LISTING_BUCKET_BITS;
    const times = [-3 * edge - 1, -edge, -1, 0, 1, edge - 1, edge, edge + 1, 5 * edge, 5 * edge, day(2).getTime(), day(2).getTime() + 1];
    for (let i = 0; i < 120; i++) {
      const time = times[i % times.length]! + (i % 5 === 0 ? 0 : Math.floor(i / times.length) * 7 * edge);
      const section = i % 3 === 0 ? 'sport' : 'news';
      const article = makeArticle({
        path: `${section}/${String(i % 17).padStart(2, '0')}/story-${i}.md`,
        publishedAt: new Date(time),
        updatedAt: new Date(time),
        tags: i % 2 === 0 ? ['Even'] : ['Odd', 'Even'],
      });
      await store.put(article);
      memory.put(article);
    }
    for (const scope of [{}, { section: 'news' }, { section: 'sport' }, { tag: 'even' }, { tag: 'odd' }]) {
      for (const limit of [1, 7, 25]) {
        for (let offset = 0; offset <= 125; offset += limit === 1 ? 1 : 3) {
          const options = { ...scope, limit, offset };
          expect(withoutVersions(await store.list(options)), JSON.stringify(options)).toEqual(withoutVersions(memory.list(options)));
        }
      }
    }
  }, 120_000);
});
