// Differential testing against the memory store (the reference): a seeded random run of store
// operations over a small pool of paths, ids, slugs and spellings, so that id conflicts, slug
// collisions, section moves, drafts and scheduled articles keep meeting each other.
import { expect } from 'vitest';
import type { Article } from '../../src/article/types.ts';
import type { MemoryStore } from '../../src/store/drivers/memory.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { day, makeArticle } from '../store/fixtures.ts';

export type Operation =
  | { kind: 'put'; article: Article }
  | { kind: 'remove'; path: string }
  | { kind: 'reject'; path: string; reason: string }
  | { kind: 'tick'; ms: number };

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const POOL_PATHS = ['news', 'sport'].flatMap((section) =>
  ['x', 'y'].flatMap((folder) => ['a', 'b', 'c'].map((name) => `${section}/${folder}/${name}.md`)),
);

/** `count` operations; `start` is the clock the test starts from (scheduling is relative to it). */
export function randomOperations(seed: number, count: number, start = day(31)): Operation[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  let clock = start.getTime();
  const operations: Operation[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    if (roll < 0.1) {
      const ms = pick([1, 20_000, 45_000, 90_000]);
      clock += ms;
      operations.push({ kind: 'tick', ms });
    } else if (roll < 0.2) {
      operations.push({ kind: 'remove', path: pick(POOL_PATHS) });
    } else if (roll < 0.27) {
      operations.push({ kind: 'reject', path: pick(POOL_PATHS), reason: pick(['bad front matter', 'not utf-8']) });
    } else {
      const path = pick(POOL_PATHS);
      const sectionSlug = next() < 0.8 ? path.slice(0, path.indexOf('/')) : pick(['news', 'sport']);
      const scheduled = next() < 0.15;
      const publishedAt = scheduled ? new Date(clock + pick([30_000, 60_000, 120_000])) : day(1 + Math.floor(next() * 4));
      const overrides: Partial<Article> = {
        path,
        sectionSlug,
        section: pick([sectionSlug, sectionSlug.toUpperCase(), sectionSlug[0]!.toUpperCase() + sectionSlug.slice(1)]),
        title: pick(['First', 'Second']),
        publishedAt,
        updatedAt: scheduled ? publishedAt : day(1 + Math.floor(next() * 6)),
        draft: next() < 0.1,
      };
      if (next() < 0.45) overrides.id = pick(['tag:example.com,2024:one', 'tag:example.com,2024:two']);
      if (next() < 0.03) overrides.publishedAt = new Date(Number.NaN);
      operations.push({ kind: 'put', article: makeArticle(overrides) });
    }
  }
  return operations;
}

/** Expects every answer of `store` to equal the memory store's (revision numbers aside). */
export async function compareStores(store: FeedStore, memory: MemoryStore, sections: string[]): Promise<void> {
  // The D1 reads go out together (as concurrent requests would); both stores read at one clock.
  const pairs: [Promise<unknown> | unknown, unknown][] = [
    [store.list({ limit: 100 }), memory.list({ limit: 100 })],
    [store.listSections(), memory.listSections()],
    [store.status(), memory.status()],
    [store.changedAt(), memory.changedAt()],
    [store.nextScheduledAt(), memory.nextScheduledAt()],
    ...POOL_PATHS.map((path): [unknown, unknown] => [store.get(path), memory.get(path)]),
  ];
  for (const section of sections) {
    const page = memory.list({ section, limit: 100 });
    pairs.push([store.list({ section, limit: 100 }), page], [store.changedAt(section), memory.changedAt(section)]);
    for (const slug of new Set(['a', 'b', 'c', ...page.items.map((item) => item.slug)])) {
      pairs.push([store.find(section, slug), memory.find(section, slug)]);
    }
  }
  const answers = await Promise.all(pairs.map(([answer]) => answer));
  expect(answers).toEqual(pairs.map(([, expected]) => expected));
}
