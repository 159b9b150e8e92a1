// The Workers publisher inside workerd: uploads parsed by the real parser, files and articles
// in a real local D1 database that starts empty for every test.
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../src/article/types.ts';
import { sha256Hex, type Publisher } from '../../src/publish.ts';
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
