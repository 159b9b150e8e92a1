// The Workers publisher inside workerd: uploads parsed by the real parser, files and articles
// in a real local D1 database that starts empty for every test.
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../src/article/types.ts';
import type { SiteConfig } from '../../src/site/config.ts';
import { ITEM_KINDS, kindName, renderRenditions } from '../../src/http/item-cache.ts';
import { createFeedCache } from '../../src/http/feed-cache.ts';
import type { Publisher } from '../../src/publish/contract.ts';
import { sha256Hex } from '../../src/site/sha256.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { createD1Publisher } from '../../src/workers/d1-publisher.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import { emptyDatabase } from './d1.ts';

const PARSE_OPTIONS: ParseOptions = {
  baseUrl: 'https://feeds.example.com',
  idAuthority: 'feeds.example.com',
  defaultSection: 'General',
  maxBytes: 4096,
};
const MTIME = new Date('2025-03-01T12:00:00Z');
const LATER = new Date('2025-03-02T12:00:00Z');

function markdown(title: string, extra = ''): Uint8Array {
  return new TextEncoder().encode(`---\ntitle: ${title}\ndate: 2025-02-01T09:00:00Z\n${extra}---\n\nThe body of ${title}.\n`);
}

describe('createD1Publisher', () => {
  let db: D1Database;
  let store: FeedStore;
  let publisher: Publisher;

  beforeEach(async () => {
    db = await emptyDatabase();
    store = createD1Store(db, { now: () => new Date('2025-06-01T00:00:00Z') });
    publisher = createD1Publisher(db, store, PARSE_OPTIONS);
  });

  it('stores a new file and publishes its article', async () => {
    const bytes = markdown('Launch day');
    expect(await publisher.put('news/launch.md', bytes, MTIME)).toEqual({ ok: true, change: 'created' });
    expect(await publisher.list()).toEqual([
      { path: 'news/launch.md', sha256: await sha256Hex(bytes), size: bytes.length, mtime: MTIME.toISOString() },
    ]);
    expect(await store.get('news/launch.md')).toMatchObject({ title: 'Launch day', sectionSlug: 'news' });
  });

  it("publishes an upload's attribution, its feed items carrying it", async () => {
    const extra = 'source: Wikinews\nsource_url: https://en.wikinews.org/wiki/Launch\nlicense: CC BY 2.5\n';
    const site: SiteConfig = { baseUrl: 'https://feeds.example.com', title: 'Test', language: 'en', idAuthority: 'feeds.example.com' };
    publisher = createD1Publisher(db, store, PARSE_OPTIONS, { site });
    expect(await publisher.put('news/launch.md', markdown('Launch day', extra), MTIME)).toEqual({ ok: true, change: 'created' });
    expect((await store.get('news/launch.md'))?.attribution).toEqual({
      source: 'Wikinews',
      sourceUrl: 'https://en.wikinews.org/wiki/Launch',
      license: 'CC BY 2.5',
      licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
    });
    const rendition = await db
      .prepare(`SELECT markup FROM renditions WHERE path = 'news/launch.md' AND kind = 'atom:full'`)
      .first<{ markup: string }>();
    expect(rendition?.markup).toContain('<link rel="via" href="https://en.wikinews.org/wiki/Launch" title="Wikinews"/>');
    expect(rendition?.markup).toContain('<p class="credit">Source: <a href="https://en.wikinews.org/wiki/Launch">Wikinews</a>');
  });

  it('answers unchanged for the same bytes and mtime, updated when either differs', async () => {
    await publisher.put('news/launch.md', markdown('Launch day'), MTIME);
    const revision = await store.revision();
    expect(await publisher.put('news/launch.md', markdown('Launch day'), MTIME)).toEqual({ ok: true, change: 'unchanged' });
    expect(await store.revision()).toBe(revision);

    expect(await publisher.put('news/launch.md', markdown('Launch day'), LATER)).toEqual({ ok: true, change: 'updated' });
    expect((await publisher.list())[0]?.mtime).toBe(LATER.toISOString());
    expect(await publisher.put('news/launch.md', markdown('Launch, again'), LATER)).toEqual({ ok: true, change: 'updated' });
    expect((await store.get('news/launch.md'))?.title).toBe('Launch, again');
    expect(await store.revision()).not.toBe(revision);
  });

  it('removes the file and its article, and says when there was none', async () => {
    await publisher.put('news/launch.md', markdown('Launch day'), MTIME);
    await publisher.put('sport/final.md', markdown('The final'), MTIME);
    expect(await publisher.remove('news/launch.md')).toBe(true);
    expect(await publisher.remove('news/launch.md')).toBe(false);
    expect(await store.get('news/launch.md')).toBeUndefined();
    expect((await publisher.list()).map((file) => file.path)).toEqual(['sport/final.md']);
  });

  it('lists every file sorted by path', async () => {
    for (const path of ['sport/b.md', 'news/z.txt', 'news/a.md', 'arts/m.markdown']) {
      const bytes = path.endsWith('.txt') ? new TextEncoder().encode('News\n\nA headline\n\nBody.') : markdown(path);
      expect(await publisher.put(path, bytes, MTIME), path).toMatchObject({ ok: true });
    }
    expect((await publisher.list()).map((file) => file.path)).toEqual([
      'arts/m.markdown',
      'news/a.md',
      'news/z.txt',
      'sport/b.md',
    ]);
  });

  it('refuses a file that does not parse with 422 and stores nothing', async () => {
    const bytes = new TextEncoder().encode('---\ntitle: Bad\ndate: not a date\n---\n\nBody.\n');
    const outcome = await publisher.put('news/bad.md', bytes, MTIME);
    expect(outcome).toMatchObject({ ok: false, status: 422 });
    expect(outcome.ok === false && outcome.reason).toMatch(/date/);
    expect(await publisher.put('news/empty.md', new Uint8Array(0), MTIME)).toMatchObject({ status: 422 });
    expect(await publisher.list()).toEqual([]);
    expect(await store.status()).toMatchObject({ articles: 0, rejected: [], scheduled: 0 });
  });

  it('keeps the last good version when a new upload does not parse', async () => {
    await publisher.put('news/launch.md', markdown('Launch day'), MTIME);
    const [before] = await publisher.list();
    expect(await publisher.put('news/launch.md', new Uint8Array([0, 1, 2]), LATER)).toMatchObject({ status: 422 });
    expect(await publisher.list()).toEqual([before]);
    expect((await store.get('news/launch.md'))?.title).toBe('Launch day');
  });

  it('refuses a file over maxBytes with 413 and stores nothing', async () => {
    const bytes = markdown('Huge', `summary: ${'x'.repeat(PARSE_OPTIONS.maxBytes)}\n`);
    const outcome = await publisher.put('news/huge.md', bytes, MTIME);
    expect(outcome).toMatchObject({ ok: false, status: 413 });
    expect(outcome.ok === false && outcome.reason).toMatch(/over the 4 KiB cap/);
    expect(await publisher.list()).toEqual([]);
    expect(await store.status()).toMatchObject({ articles: 0, rejected: [] });
  });

  it('stores a file whose id another file publishes, with the rejection in the store', async () => {
    const shared = 'id: tag:feeds.example.com,2025:shared\n';
    await publisher.put('news/a.md', markdown('First', shared), MTIME);
    expect(await publisher.put('news/b.md', markdown('Second', shared), MTIME)).toEqual({ ok: true, change: 'created' });
    expect((await publisher.list()).map((file) => file.path)).toEqual(['news/a.md', 'news/b.md']);
    expect((await store.status()).rejected).toEqual([
      { path: 'news/b.md', reason: 'id "tag:feeds.example.com,2025:shared" is already used by news/a.md' },
    ]);
    // Removing the owner publishes the waiting file, as on Node.
    await publisher.remove('news/a.md');
    expect((await store.get('news/b.md'))?.title).toBe('Second');
  });

  it('keeps the file record and the article of the same upload when uploads of a path race', async () => {
    const versions = Array.from({ length: 10 }, (_, i) => markdown(`Version ${i}`));
    const publishers = [publisher, createD1Publisher(db, createD1Store(db), PARSE_OPTIONS)];
    const outcomes = await Promise.all(versions.map((bytes, i) => publishers[i % 2]!.put('news/race.md', bytes, MTIME)));
    expect(outcomes.filter((outcome) => outcome.ok && outcome.change === 'created')).toHaveLength(1);
    const [file] = await publisher.list();
    const title = (await store.get('news/race.md'))?.title;
    expect(file?.sha256).toBe(await sha256Hex(markdown(title!)));
  });

  describe('dates', () => {
    const NOW = new Date('2025-06-01T00:00:00Z');
    const text = (body: string) => new TextEncoder().encode(`News\n\nA headline\n\n${body}\n`);
    const datesOf = async (path: string) => {
      const article = await store.get(path);
      return { publishedAt: article?.publishedAt.toISOString(), updatedAt: article?.updatedAt.toISOString() };
    };

    beforeEach(() => {
      publisher = createD1Publisher(db, store, PARSE_OPTIONS, { now: () => NOW });
    });

    it('dates a new file by its mtime, and a re-upload of the same bytes with a newer mtime changes nothing', async () => {
      await publisher.put('news/talks.txt', text('Body.'), MTIME);
      const revision = await store.revision();
      // `wirefeed publish` re-uploads a touched file: same hash, newer mtime.
      expect(await publisher.put('news/talks.txt', text('Body.'), LATER)).toEqual({ ok: true, change: 'updated' });
      expect(await datesOf('news/talks.txt')).toEqual({ publishedAt: MTIME.toISOString(), updatedAt: MTIME.toISOString() });
      expect((await publisher.list())[0]?.mtime).toBe(LATER.toISOString());
      expect(await store.revision()).toBe(revision);
    });

    it('moves updatedAt and keeps publishedAt when the bytes change', async () => {
      await publisher.put('news/talks.txt', text('Body.'), MTIME);
      await publisher.put('news/talks.txt', text('Body, typo fixed.'), LATER);
      expect(await datesOf('news/talks.txt')).toEqual({ publishedAt: MTIME.toISOString(), updatedAt: LATER.toISOString() });
      // Touching it again afterwards keeps both.
      await publisher.put('news/talks.txt', text('Body, typo fixed.'), new Date('2025-04-01T00:00:00Z'));
      expect(await datesOf('news/talks.txt')).toEqual({ publishedAt: MTIME.toISOString(), updatedAt: LATER.toISOString() });

      await publisher.put('news/launch.md', markdown('Launch day'), MTIME);
      expect(await datesOf('news/launch.md')).toEqual({
        publishedAt: '2025-02-01T09:00:00.000Z',
        updatedAt: '2025-02-01T09:00:00.000Z',
      });
      await publisher.put('news/launch.md', markdown('Launch day, fixed'), LATER);
      expect(await datesOf('news/launch.md')).toEqual({ publishedAt: '2025-02-01T09:00:00.000Z', updatedAt: LATER.toISOString() });
    });

    it('caps an upload time at now and never records a change before the first upload', async () => {
      await publisher.put('news/future.txt', text('Body.'), new Date('2030-01-01T00:00:00Z'));
      expect(await datesOf('news/future.txt')).toEqual({ publishedAt: NOW.toISOString(), updatedAt: NOW.toISOString() });

      await publisher.put('news/talks.txt', text('Body.'), LATER);
      await publisher.put('news/talks.txt', text('Edited with an old mtime.'), MTIME);
      expect(await datesOf('news/talks.txt')).toEqual({ publishedAt: LATER.toISOString(), updatedAt: LATER.toISOString() });
    });

    it('dates the article from the record it keeps when uploads of a path race', async () => {
      const mtimes = Array.from({ length: 8 }, (_, i) => new Date(MTIME.getTime() + i * 3_600_000));
      const other = createD1Publisher(db, createD1Store(db), PARSE_OPTIONS, { now: () => NOW });
      const publishers = [publisher, other];
      await Promise.all(mtimes.map((mtime, i) => publishers[i % 2]!.put('news/race.txt', text(`Version ${i}`), mtime)));
      const row = await db
        .prepare(`SELECT first_seen_at, changed_at FROM files WHERE path = 'news/race.txt'`)
        .first<{ first_seen_at: number; changed_at: number | null }>();
      // Only one upload was the first; every later one replaced other bytes, so it is a change.
      expect(row?.changed_at).not.toBeNull();
      expect(mtimes.map((mtime) => mtime.getTime())).toContain(row?.first_seen_at);
      const article = await store.get('news/race.txt');
      expect(article?.publishedAt.getTime()).toBe(row?.first_seen_at);
      expect(article?.updatedAt.getTime()).toBe(row?.changed_at ?? row?.first_seen_at);
    });

    it('forgets the times of a deleted path: re-added, it is new', async () => {
      await publisher.put('news/talks.txt', text('Body.'), MTIME);
      await publisher.remove('news/talks.txt');
      await publisher.put('news/talks.txt', text('Body.'), LATER);
      expect(await datesOf('news/talks.txt')).toEqual({ publishedAt: LATER.toISOString(), updatedAt: LATER.toISOString() });
    });

    it('dates a file-name-dated file by its name, whatever its mtime', async () => {
      await publisher.put('news/2019-03-01-talks.txt', text('Body.'), MTIME);
      expect(await datesOf('news/2019-03-01-talks.txt')).toEqual({
        publishedAt: '2019-03-01T00:00:00.000Z',
        updatedAt: '2019-03-01T00:00:00.000Z',
      });
      expect((await store.get('news/2019-03-01-talks.txt'))?.slug).toBe('2019-03-01-talks');
    });
  });

  it('works with any FeedStore, putting the article before the file record', async () => {
    const memory = createMemoryStore();
    const withMemory = createD1Publisher(db, memory, PARSE_OPTIONS);
    expect(await withMemory.put('news/launch.md', markdown('Launch day'), MTIME)).toEqual({ ok: true, change: 'created' });
    expect(await withMemory.put('news/launch.md', markdown('Launch day'), MTIME)).toEqual({ ok: true, change: 'unchanged' });
    expect(memory.get('news/launch.md')?.title).toBe('Launch day');
    expect(await withMemory.remove('news/launch.md')).toBe(true);
    expect(memory.get('news/launch.md')).toBeUndefined();
    expect(await withMemory.list()).toEqual([]);
  });
});

describe('createD1Publisher with the site: item renditions', () => {
  const site: SiteConfig = { baseUrl: 'https://feeds.example.com', title: 'Test <Site>', language: 'en', idAuthority: 'feeds.example.com' };
  const NOW = new Date('2025-06-01T00:00:00Z');
  const KINDS = ITEM_KINDS.map(kindName).sort();
  const text = (section: string, title: string) => new TextEncoder().encode(`${section}\n\n${title}\n\nThe body of ${title}, with <b>markup</b> & more.\n`);
  let db: D1Database;
  let store: FeedStore;
  let publisher: Publisher;

  beforeEach(async () => {
    db = await emptyDatabase();
    store = createD1Store(db, { now: () => NOW });
    publisher = createD1Publisher(db, store, PARSE_OPTIONS, { now: () => NOW, site });
  });

  const keptKinds = async (path: string) =>
    (await db.prepare('SELECT kind FROM renditions WHERE path = ?1 ORDER BY kind').bind(path).all<{ kind: string }>()).results.map(({ kind }) => kind);

  /** The section's RSS, Atom and JSON documents from a fresh feed cache over `over`. */
  async function documents(over: FeedStore, section = 'news'): Promise<string[]> {
    const feeds = createFeedCache({ store: over, site });
    return Promise.all(
      (['rss', 'atom', 'json'] as const).map(async (format) => {
        const feed = await feeds.get({ format, section, page: 1, limit: 50, explicitLimit: false });
        return new TextDecoder().decode(feed!.body);
      }),
    );
  }

  /** The same store, without the renditions it keeps: every item rendered from the article. */
  const rendering = (): FeedStore => ({ ...store, renditions: undefined });

  it('keeps every kind of item markup of a published article, as item-cache.ts renders it', async () => {
    expect(await publisher.put('news/launch.txt', text('News', 'Launch day'), MTIME)).toEqual({ ok: true, change: 'created' });
    expect(await keptKinds('news/launch.txt')).toEqual(KINDS);
    const [listed] = (await store.list({ section: 'news', limit: 1 })).items;
    const expected = renderRenditions(site, listed!, (await store.content('news/launch.txt'))!);
    for (const { kind, ...rendition } of expected) {
      expect((await store.renditions!(['news/launch.txt'], kind)).get('news/launch.txt'), kind).toEqual(rendition);
    }
    // A new upload keeps the markup of the new version in place of the old.
    await publisher.put('news/launch.txt', text('News', 'Launch day, corrected'), LATER);
    const rss = (await store.renditions!(['news/launch.txt'], 'rss:full:dc')).get('news/launch.txt');
    expect(rss?.markup).toContain('Launch day, corrected');
    expect(await keptKinds('news/launch.txt')).toEqual(KINDS);
    await publisher.remove('news/launch.txt');
    expect(await keptKinds('news/launch.txt')).toEqual([]);
  });

  it('keeps nothing for an article that is not published: scheduled, or refused for its id', async () => {
    const scheduled = new TextEncoder().encode('---\ntitle: Embargoed\ndate: 2030-01-01T00:00:00Z\n---\n\nBody.\n');
    expect(await publisher.put('news/embargoed.md', scheduled, MTIME)).toMatchObject({ ok: true });
    const shared = 'id: tag:feeds.example.com,2025:shared\n';
    await publisher.put('news/a.md', markdown('First', shared), MTIME);
    await publisher.put('news/b.md', markdown('Second', shared), MTIME);
    expect(await keptKinds('news/embargoed.md')).toEqual([]);
    expect(await keptKinds('news/b.md')).toEqual([]);
    expect(await keptKinds('news/a.md')).toEqual(KINDS);
    // Without the site, nothing is rendered at publish time.
    const plain = createD1Publisher(db, store, PARSE_OPTIONS, { now: () => NOW });
    await plain.put('news/plain.md', markdown('Plain'), MTIME);
    expect(await keptKinds('news/plain.md')).toEqual([]);
  });

  it('serves feeds assembled from the kept markup, byte-identical to feeds rendered from the articles', async () => {
    for (let i = 0; i < 5; i++) await publisher.put(`news/story-${i}.txt`, text('News', `Story ${i}`), new Date(MTIME.getTime() + i * 60_000));
    expect(await documents(store)).toEqual(await documents(rendering()));
    // The markup kept is what the documents are made of: changed behind the store, it shows.
    await db.prepare(`UPDATE renditions SET markup = replace(markup, 'Story 3', 'Story 3 (as kept)')`).run();
    for (const document of await documents(store)) expect(document).toContain('Story 3 (as kept)');
  });

  it('does not use markup kept for a section name or page slug the article no longer has', async () => {
    const poison = () => db.prepare(`UPDATE renditions SET markup = replace(markup, 'Report', 'STALE')`).run();
    await publisher.put('news/report.txt', text('News', 'Report'), MTIME);
    await publisher.put('sport/2025/report.txt', text('Sport', 'Report'), MTIME);
    await poison();
    expect((await documents(store, 'news'))[0]).toContain('STALE');
    expect((await documents(store, 'sport'))[0]).toContain('STALE');

    // Two articles spelling the section NEWS rename it.
    await publisher.put('news/b.txt', text('NEWS', 'Second'), LATER);
    await publisher.put('news/c.txt', text('NEWS', 'Third'), LATER);
    const renamed = await documents(store, 'news');
    expect(renamed.join('')).not.toContain('STALE');
    expect(renamed).toEqual(await documents(rendering(), 'news'));
    expect(renamed[0]).toContain('<category domain="https://feeds.example.com/news/">NEWS</category>');

    // An older article with the same slug takes the bare one: the report's page URL moves.
    const older = new TextEncoder().encode('---\ntitle: Older report\ndate: 2024-01-01T00:00:00Z\n---\n\nBody.\n');
    await publisher.put('sport/2024/report.md', older, MTIME);
    const moved = await documents(store, 'sport');
    expect(moved.join('')).not.toContain('STALE');
    expect(moved).toEqual(await documents(rendering(), 'sport'));
    const [report] = (await store.list({ section: 'sport', limit: 10 })).items.filter((item) => item.article.path === 'sport/2025/report.txt');
    expect(report?.slug).toMatch(/^report-[0-9a-f]{6}$/);
  });
});
