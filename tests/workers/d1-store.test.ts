// The D1 store inside workerd, on a real local D1 database that starts empty for every test.
import { env, reset } from 'cloudflare:test';
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../src/article/types.ts';
import { ConfigError, StoreError } from '../../src/errors.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { suffixedSlug } from '../../src/store/slugs.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { createD1Store, d1ArticleWriter } from '../../src/workers/d1-store.ts';
import { runDriverContract } from '../store/driver-contract.ts';
import { day, makeArticle } from '../store/fixtures.ts';
import { emptyDatabase } from './d1.ts';
import { compareStores, randomOperations, VersionLedger, withoutVersions } from './differential.ts';

runDriverContract('d1', async ({ now }) => createD1Store(await emptyDatabase(), { now }));

/** 2,000 articles in two sections, with shared dates, colliding slugs and mixed spellings. */
function manyArticles(): Article[] {
  return Array.from({ length: 2000 }, (_, i) => {
    const section = i % 3 === 0 ? 'sport' : 'news';
    // Every fourth file is called story-0.md … story-6.md, so page slugs collide.
    const file = i % 4 === 3 ? `${i}/story-${i % 7}` : `${i % 40}/story-${i}`;
    return makeArticle({
      path: `${section}/${file}.md`,
      publishedAt: day(1 + (i % 20), i % 11),
      section: i % 4 === 0 ? section.toUpperCase() : section.charAt(0).toUpperCase() + section.slice(1),
      sectionSlug: section,
    });
  });
}

/** Puts `articles` a few at a time, as several Workers publishing at once would. */
async function putConcurrently(store: FeedStore, articles: Article[], width = 50): Promise<void> {
  for (let i = 0; i < articles.length; i += width) {
    const results = await Promise.all(articles.slice(i, i + width).map((article) => store.put(article)));
    expect(results.every((result) => result.ok)).toBe(true);
  }
}

/** A binding that counts the statements prepared from its SQL, for "how often" questions. */
function countingBinding(db: D1Database, counts: Map<string, number>): D1Database {
  const prepare = (sql: string) => {
    counts.set(sql, (counts.get(sql) ?? 0) + 1);
    return db.prepare(sql);
  };
  return { prepare, batch: db.batch.bind(db), exec: db.exec.bind(db) } as unknown as D1Database;
}

describe('createD1Store', () => {
  let db: D1Database;
  let clock: Date;
  const now = () => clock;

  beforeEach(async () => {
    db = await emptyDatabase();
    clock = day(31);
  });

  it('lists page 3 of a section among 2,000 articles exactly as the memory store does', async () => {
    const store = createD1Store(db, { now });
    const memory = createMemoryStore({ now });
    const articles = manyArticles();
    for (const article of articles) memory.put(article);
    await putConcurrently(store, articles);

    const ledger = new VersionLedger();
    const page = await store.list({ section: 'news', limit: 20, offset: 40 });
    expect(page.total).toBe(1333);
    expect(ledger.stripAnswer(page)).toEqual(withoutVersions(memory.list({ section: 'news', limit: 20, offset: 40 })));
    expect(ledger.stripAnswer(await store.list({ limit: 20, offset: 40 }))).toEqual(withoutVersions(memory.list({ limit: 20, offset: 40 })));
    expect(await store.listSections()).toEqual(memory.listSections());
    // Colliding slugs resolve the same way, so every page URL finds the same article.
    const suffixed = page.items.find((item) => item.slug !== item.article.slug);
    expect(suffixed?.slug).toBe(suffixedSlug(suffixed!.article.slug, suffixed!.article.path));
    expect(ledger.stripAnswer(await store.find('news', suffixed!.slug))).toEqual(withoutVersions(memory.find('news', suffixed!.slug)));
  }, 60_000);

  it('loses nothing when two Workers put 20 articles into one section at once', async () => {
    const workers = [createD1Store(db, { now }), createD1Store(db, { now })];
    const articles = Array.from({ length: 20 }, (_, i) =>
      makeArticle({ path: `news/${i}.md`, publishedAt: day(1 + (i % 3)), section: i < 11 ? 'NEWS' : 'News' }),
    );
    const results = await Promise.all(articles.map((article, i) => workers[i % 2]!.put(article)));
    expect(results).toEqual(Array(20).fill({ ok: true, change: 'added' }));

    const [store] = workers;
    const page = await store!.list({ section: 'news', limit: 100 });
    expect(page.total).toBe(20);
    expect(page.items.map((item) => item.article.path).sort()).toEqual(articles.map((a) => a.path).sort());
    expect(await store!.listSections()).toEqual([{ slug: 'news', name: 'NEWS', articles: 20, updatedAt: day(1) }]);
    // Every put committed its own revision: none was overwritten by another.
    expect(await store!.revision()).toBe(20);
    expect(await store!.revision('news')).toBe(20);
  });

  it('publishes one of 20 paths putting the same id at once; the rest wait their turn', async () => {
    const id = 'tag:example.com,2024:contested';
    const workers = [createD1Store(db, { now }), createD1Store(db, { now })];
    const paths = Array.from({ length: 20 }, (_, i) => `news/${String(i).padStart(2, '0')}.md`);
    const results = await Promise.all(paths.map((path, i) => workers[i % 2]!.put(makeArticle({ path, id }))));
    expect(results.filter((result) => result.ok)).toHaveLength(1);

    const [store] = workers;
    const [owner] = (await store!.list({ limit: 10 })).items.map((item) => item.article.path);
    expect((await store!.status()).rejected).toHaveLength(19);
    await store!.remove(owner!);
    const next = paths.filter((path) => path !== owner)[0];
    expect((await store!.list({ limit: 10 })).items.map((item) => item.article.path)).toEqual([next]);
    expect((await store!.status()).rejected.map((rejection) => rejection.reason)).toEqual(
      Array(18).fill(`id "${id}" is already used by ${next}`),
    );
  });

  it('publishes a due article once when many readers notice it together', async () => {
    const workers = [createD1Store(db, { now }), createD1Store(db, { now })];
    const due = new Date(clock.getTime() + 60_000);
    await workers[0]!.put(makeArticle({ path: 'news/a.md', publishedAt: day(1) }));
    await workers[0]!.put(makeArticle({ path: 'news/later.md', publishedAt: due, updatedAt: due }));
    const before = await workers[0]!.revision();

    clock = new Date(due.getTime() + 1);
    const pages = await Promise.all(Array.from({ length: 10 }, (_, i) => workers[i % 2]!.list({ limit: 10 })));
    for (const page of pages) expect(page.total).toBe(2);
    expect(await workers[1]!.revision()).toBe(before + 1);
    expect(await workers[1]!.changedAt('news')).toEqual(clock);
  });

  it('publishes what is due before a write, so a due article keeps its id', async () => {
    const store = createD1Store(db, { now });
    const memory = createMemoryStore({ now });
    const id = 'tag:example.com,2024:launch';
    const due = new Date(clock.getTime() + 60_000);
    const scheduled = makeArticle({ path: 'news/embargoed.md', id, publishedAt: due, updatedAt: due });
    expect(await store.put(scheduled)).toEqual(memory.put(scheduled));
    clock = new Date(due.getTime() + 1);
    // No read in between: the put itself must notice that the embargo is over.
    const rival = makeArticle({ path: 'news/rival.md', id });
    const refused = { ok: false, reason: `id "${id}" is already used by news/embargoed.md` };
    expect(await store.put(rival)).toEqual(refused);
    expect(memory.put(rival)).toEqual(refused);
    expect(await store.remove('news/embargoed.md')).toBe(true);
    expect((await store.get('news/rival.md'))?.path).toBe('news/rival.md');
  });

  it('follows a chain of promotions longer than one batch settles', async () => {
    const store = createD1Store(db, { now });
    const memory = createMemoryStore({ now });
    const ids = ['v', 'w', 'x', 'y', 'z'].map((letter) => `tag:example.com,2024:${letter}`);
    const steps: Article[] = [
      makeArticle({ path: 'news/a.md', id: ids[0] }),
      ...[1, 2, 3, 4].map((i) => makeArticle({ path: `news/${'abcde'[i]}.md`, id: ids[i] })),
      // Each path also wants the id of the path before it: removing a.md frees v, then w, x, y.
      ...[1, 2, 3, 4].map((i) => makeArticle({ path: `news/${'abcde'[i]}.md`, id: ids[i - 1], title: 'Moved' })),
    ];
    for (const article of steps) expect(await store.put(article)).toEqual(memory.put(article));
    expect(await store.remove('news/a.md')).toBe(memory.remove('news/a.md'));
    await compareStores(store, memory, ['news']);
    expect((await store.list({ limit: 10 })).items.map((item) => item.article.title)).toEqual(Array(4).fill('Moved'));
  });

  it('matches the memory store over a long random run of puts, removes and rejections', async () => {
    const store = createD1Store(db, { now });
    const memory = createMemoryStore({ now });
    const ledger = new VersionLedger();
    for (const operation of randomOperations(0x5eed, 160)) {
      if (operation.kind === 'tick') clock = new Date(clock.getTime() + operation.ms);
      else if (operation.kind === 'put') expect(await store.put(operation.article)).toEqual(memory.put(operation.article));
      else if (operation.kind === 'remove') expect(await store.remove(operation.path)).toBe(memory.remove(operation.path));
      else {
        await store.reject(operation.path, operation.reason);
        memory.reject(operation.path, operation.reason);
      }
      await compareStores(store, memory, ['news', 'sport'], ledger);
    }
  }, 60_000);

  it('pages with odd limits and offsets as the memory store does', async () => {
    const store = createD1Store(db, { now });
    const memory = createMemoryStore({ now });
    for (let i = 1; i <= 5; i++) {
      const article = makeArticle({ path: `news/${i}.md`, publishedAt: day(i) });
      await store.put(article);
      memory.put(article);
    }
    for (const [limit, offset] of [[Infinity, 0], [2.7, 1.9], [-1, 0], [Number.NaN, 0], [3, -2], [2, Infinity]]) {
      const options = { section: 'news', limit: limit!, offset: offset! };
      expect(withoutVersions(await store.list(options)), `${limit} ${offset}`).toEqual(withoutVersions(memory.list(options)));
    }
  });

  it('lists, finds and gets articles without reading a body or summary from D1', async () => {
    const answered: Record<string, unknown>[] = [];
    const batch = (statements: D1PreparedStatement[]) =>
      db.batch(statements).then((results) => {
        for (const result of results) answered.push(...(result.results as Record<string, unknown>[]));
        return results;
      });
    const watched = { prepare: db.prepare.bind(db), batch, exec: db.exec.bind(db) } as unknown as D1Database;
    const store = createD1Store(watched, { now });
    await store.put(makeArticle({ html: `<p>${'Long body. '.repeat(2000)}</p>` }));
    await store.put(makeArticle({ path: 'news/other.md', publishedAt: day(2) }));
    answered.length = 0;
    await store.list({ section: 'news', limit: 10 });
    await store.list({ limit: 10 });
    await store.find('news', 'launch');
    await store.get('news/launch.md');
    expect(answered.length).toBeGreaterThan(4);
    expect(answered.filter((row) => 'html' in row || 'summary' in row)).toEqual([]);
    expect(answered.filter((row) => 'version' in row).map((row) => row.version)).toEqual(
      Array(6).fill(expect.stringMatching(/^[0-9a-f]{64}$/)),
    );
    expect((await store.content('news/launch.md'))?.html).toContain('Long body.');
  });

  it('names a version by its content: the same in every isolate, new for any change', async () => {
    const stores = [createD1Store(db, { now }), createD1Store(db, { now })];
    await stores[0]!.put(makeArticle());
    const first = (await stores[1]!.find('news', 'launch'))!.version;
    await stores[1]!.remove('news/launch.md');
    await stores[1]!.put(makeArticle());
    expect((await stores[0]!.find('news', 'launch'))!.version).toBe(first);
    // A change to anything the row stores, the summary alone included, names a new version.
    await stores[0]!.put(makeArticle({ summary: 'Another summary.' }));
    const second = (await stores[1]!.find('news', 'launch'))!.version;
    expect(second).not.toBe(first);
    await stores[0]!.put(makeArticle({ summary: 'Another summary.', authors: [{ name: 'Ada Reporter' }] }));
    expect((await stores[1]!.find('news', 'launch'))!.version).not.toBe(second);
  });

  it('keeps renditions for the live version of a path and answers them by path and kind', async () => {
    const store = createD1Store(db, { now });
    const writer = d1ArticleWriter(store)!;
    await store.put(makeArticle({ path: 'news/a.md' }));
    await store.put(makeArticle({ path: 'news/b.md' }));
    const a = (await writer.listed('news/a.md'))!;
    const b = (await writer.listed('news/b.md'))!;
    const rendition = (path: string, kind: string) => ({ kind, key: `key of ${path}`, markup: `<item>${path} ${kind}</item>`, hasBody: kind === 'rss:full:dc' });
    await writer.keepRenditions('news/a.md', a.version, ['rss:full:dc', 'atom:full'].map((kind) => rendition('news/a.md', kind)));
    await writer.keepRenditions('news/b.md', b.version, ['rss:full:dc'].map((kind) => rendition('news/b.md', kind)));
    // Not the live version (another upload replaced it meanwhile): nothing is kept.
    await writer.keepRenditions('news/b.md', 'another version', ['atom:full'].map((kind) => rendition('news/b.md', kind)));

    const rss = await store.renditions!(['news/a.md', 'news/b.md', 'news/none.md'], 'rss:full:dc');
    expect([...rss.keys()].sort()).toEqual(['news/a.md', 'news/b.md']);
    expect(rss.get('news/a.md')).toEqual({ key: 'key of news/a.md', markup: '<item>news/a.md rss:full:dc</item>', hasBody: true });
    expect([...(await store.renditions!(['news/a.md', 'news/b.md'], 'atom:full')).keys()]).toEqual(['news/a.md']);
    expect(await store.renditions!([], 'atom:full')).toEqual(new Map());

    // A new version, a draft or a removal of the article takes its renditions with it.
    await store.put(makeArticle({ path: 'news/a.md', title: 'Edited' }));
    expect((await store.renditions!(['news/a.md'], 'rss:full:dc')).size).toBe(0);
    await store.remove('news/b.md');
    expect((await store.renditions!(['news/b.md'], 'rss:full:dc')).size).toBe(0);
    expect((await db.prepare('SELECT COUNT(*) AS n FROM renditions').first<{ n: number }>())?.n).toBe(0);
  });

  it('counts the live articles published each day by index ranges, as the app counts them through list', async () => {
    const store = createD1Store(db, { now });
    const start = Date.UTC(2024, 2, 10);
    const hour = 3_600_000;
    // Before the first day, at its first and last millisecond, on day 3, after the last day, scheduled.
    const times = [start - 1, start, start + 24 * hour - 1, start + 2 * 24 * hour + hour, start + 2 * 24 * hour + 2 * hour, start + 5 * 24 * hour];
    for (const [i, time] of times.entries()) await store.put(makeArticle({ path: `news/${i}.md`, publishedAt: new Date(time), updatedAt: new Date(time) }));
    await store.put(makeArticle({ path: 'news/later.md', publishedAt: day(40), updatedAt: day(40) }));
    await store.put(makeArticle({ path: 'news/waiting.md', id: 'tag:example.com,2024:news/0.md', publishedAt: new Date(start) }));
    expect(await store.publishedPerDay!(new Date(start), 5)).toEqual([2, 0, 2, 0, 0]);
    expect(await store.publishedPerDay!(new Date(start - 24 * hour), 1)).toEqual([1]);
  });

  it('stores authors as canonical JSON, so key order does not make a change', async () => {
    const store = createD1Store(db, { now });
    await store.put(makeArticle({ authors: [{ name: 'Ada', email: 'ada@example.com' }] }));
    const reordered = makeArticle({ authors: [{ email: 'ada@example.com', name: 'Ada', url: undefined }] });
    expect(await store.put(reordered)).toEqual({ ok: true, change: 'unchanged' });
  });

  it('applies its schema lazily, once per binding however many stores and calls share it', async () => {
    await reset();
    const counts = new Map<string, number>();
    const binding = countingBinding(env.DB, counts);
    const stores = [createD1Store(binding, { now }), createD1Store(binding, { now })];
    await Promise.all(stores.flatMap((store) => [store.list({ limit: 5 }), store.put(makeArticle())]));
    const { html: _html, summary: _summary, ...meta } = makeArticle();
    expect(await stores[1]!.get('news/launch.md')).toEqual(meta);
    const schemaRuns = [...counts].filter(([sql]) => sql.startsWith('CREATE TABLE IF NOT EXISTS articles'));
    expect(schemaRuns).toEqual([[expect.any(String), 1]]);
  });

  it('refuses a missing binding and wraps D1 failures with the operation', async () => {
    expect(() => createD1Store(undefined as unknown as D1Database)).toThrow(ConfigError);
    expect(() => createD1Store(undefined as unknown as D1Database)).toThrow(/add a \[\[d1_databases\]\] binding/);
    const store = createD1Store(db, { now });
    await db.prepare('DROP TABLE spellings').run();
    const failure = await Promise.resolve(store.list({ limit: 1 })).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as StoreError).message).toMatch(/^\[store:d1\] list failed: .*spellings/);
  });
});
