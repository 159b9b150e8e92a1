// Differential testing against the memory store (the reference): a seeded random run of store
// operations over a small pool of paths, ids, slugs and spellings, so that id conflicts, slug
// collisions, section moves, drafts and scheduled articles keep meeting each other.
import { expect } from 'vitest';
import type { Article } from '../../src/article/types.ts';
import type { MemoryStore } from '../../src/store/drivers/memory.ts';
import type { ArticlePage, FeedStore, ListedArticle } from '../../src/store/types.ts';
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

/**
 * The version names a store gave during a run. Drivers name versions their own way (memory counts
 * puts, D1 hashes the stored content), so answers are compared without them; instead every name
 * must stand for one content, and (D1's names being content hashes) one content for one name.
 */
export class VersionLedger {
  readonly #contentOf = new Map<string, string>();
  readonly #versionOf = new Map<string, string>();

  /** Records `listed`'s version and returns `listed` without it. */
  strip(listed: ListedArticle): Omit<ListedArticle, 'version'> {
    const { version, ...rest } = listed;
    const content = JSON.stringify(listed.article);
    expect(this.#contentOf.get(version) ?? content, `version ${version} names two contents`).toBe(content);
    expect(this.#versionOf.get(content) ?? version, `${listed.article.path}: one content, two version names`).toBe(version);
    this.#contentOf.set(version, content);
    this.#versionOf.set(content, version);
    return rest;
  }

  /** A page, a listed article or anything else, with the versions of its listed articles recorded and taken out. */
  stripAnswer(answer: unknown): unknown {
    if (answer === null || typeof answer !== 'object') return answer;
    if ('version' in answer && 'article' in answer) return this.strip(answer as ListedArticle);
    if ('items' in answer && 'total' in answer) {
      const page = answer as ArticlePage;
      return { ...page, items: page.items.map((item) => this.strip(item)) };
    }
    return answer;
  }
}

/**
 * Expects every answer of `store` to equal the memory store's, revision numbers and version names
 * aside; `store`'s version names go in `ledger` (one per run, so names are checked across the run).
 */
export async function compareStores(store: FeedStore, memory: MemoryStore, sections: string[], ledger = new VersionLedger()): Promise<void> {
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
  const expected = pairs.map(([, answer]) => withoutVersions(answer));
  expect(answers.map((answer) => ledger.stripAnswer(answer))).toEqual(expected);
}

/** An answer without the version names of its listed articles, checking nothing (the memory store's count puts). */
export function withoutVersions(answer: unknown): unknown {
  if (answer === null || typeof answer !== 'object') return answer;
  const strip = ({ version: _version, ...rest }: ListedArticle) => rest;
  if ('version' in answer && 'article' in answer) return strip(answer as ListedArticle);
  if ('items' in answer && 'total' in answer) {
    const page = answer as ArticlePage;
    return { ...page, items: page.items.map(strip) };
  }
  return answer;
}
