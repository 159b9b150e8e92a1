// The D1 schema inside workerd: a database made before a column existed is brought up to date.
import { env, reset } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/site/sha256.ts';
import { createD1Publisher } from '../../src/workers/d1-publisher.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import type { Article } from '../../src/article/types.ts';
import { articleValues } from '../../src/workers/d1-rows.ts';
import { applyD1Schema, CONTENT_COLUMNS, D1_ADDED_COLUMNS, D1_SCHEMA } from '../../src/workers/schema.ts';
import { day, makeArticle } from '../store/fixtures.ts';

const PARSE_OPTIONS = {
  baseUrl: 'https://feeds.example.com',
  idAuthority: 'feeds.example.com',
  defaultSection: 'General',
  maxBytes: 4096,
};
const BYTES = new TextEncoder().encode('News\n\nA headline\n\nBody.\n');

/** The `files` table as the first Workers release made it, with one uploaded file. */
async function databaseBeforeFileTimes(): Promise<D1Database> {
  await reset();
  const db = env.DB;
  await applyD1Schema(db);
  await db.batch([
    db.prepare('DROP TABLE files'),
    db.prepare('DROP TABLE put_file_gate'),
    db.prepare(`CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime TEXT NOT NULL)`),
    db
      .prepare('INSERT INTO files (path, sha256, size, mtime) VALUES (?1, ?2, ?3, ?4)')
      .bind('news/talks.txt', await sha256Hex(BYTES), BYTES.length, '2025-03-01T12:00:00.000Z'),
  ]);
  return db;
}

const columnsOf = async (db: D1Database, table: string): Promise<string[]> =>
  (await db.prepare(`PRAGMA table_info(${table})`).all<{ name: string }>()).results.map(({ name }) => name);

describe('applyD1Schema', () => {
  let db: D1Database;

  beforeEach(async () => {
    db = await databaseBeforeFileTimes();
  });

  it('adds the columns an older database lacks and keeps its rows', async () => {
    await applyD1Schema(db);
    expect(await columnsOf(db, 'files')).toEqual(['path', 'sha256', 'size', 'mtime', 'first_seen_at', 'changed_at']);
    expect(await columnsOf(db, 'put_file_gate')).toEqual(['stale']);
    const row = await db.prepare('SELECT * FROM files').first();
    expect(row).toMatchObject({ path: 'news/talks.txt', mtime: '2025-03-01T12:00:00.000Z', first_seen_at: null });
  });

  it('is safe to run again, and from several isolates at once', async () => {
    await Promise.all([applyD1Schema(db), applyD1Schema(db), applyD1Schema(db)]);
    await applyD1Schema(db);
    const columns = await columnsOf(db, 'files');
    for (const { table, column } of D1_ADDED_COLUMNS) expect(await columnsOf(db, table)).toContain(column);
    expect(columns).toHaveLength(6);
  });

  it('dates a file uploaded before the upgrade by the mtime it was stored with', async () => {
    await applyD1Schema(db);
    const store = createD1Store(db, { now: () => new Date('2025-06-01T00:00:00Z') });
    const publisher = createD1Publisher(db, store, PARSE_OPTIONS, { now: () => new Date('2025-06-01T00:00:00Z') });
    expect(await publisher.put('news/talks.txt', BYTES, new Date('2025-05-01T00:00:00Z'))).toMatchObject({ ok: true });
    const article = await store.get('news/talks.txt');
    expect(article?.publishedAt.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(article?.updatedAt.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    const row = await db.prepare('SELECT first_seen_at, changed_at FROM files').first();
    expect(row).toEqual({ first_seen_at: Date.parse('2025-03-01T12:00:00.000Z'), changed_at: null });
  });
});

// ---------------------------------------------------------------- version names

/** The article columns of the release before version names, in its order (attribution came later still). */
const BEFORE_VERSIONS = CONTENT_COLUMNS.filter((column) => column !== 'attribution');
const COLUMNS_BEFORE_VERSIONS = BEFORE_VERSIONS.join(', ');
const FROZEN_BEFORE_VERSIONS = `CREATE TRIGGER articles_live_frozen BEFORE UPDATE ON articles
  WHEN old.state = 'live' OR new.state = 'live'
BEGIN
  SELECT RAISE(ABORT, 'live articles are replaced (DELETE, INSERT), never updated');
END`;

/** Inserts `article` the way the release before version names did (no version column to fill). */
function insertBeforeVersions(db: D1Database, state: string, article: Article) {
  const values = articleValues({ article, version: 'unused' })
    .slice(0, CONTENT_COLUMNS.length)
    .filter((_, i) => CONTENT_COLUMNS[i] !== 'attribution');
  const placeholders = values.map((_, i) => `?${i + 2}`).join(', ');
  return db.prepare(`INSERT INTO articles (state, ${COLUMNS_BEFORE_VERSIONS}) VALUES (?1, ${placeholders})`).bind(state, ...values);
}

/** `articles` and `put_incoming` as the release before version names made them, with a live and a scheduled article. */
async function databaseBeforeVersions(): Promise<D1Database> {
  await reset();
  const db = env.DB;
  const definitions = `path TEXT NOT NULL, id TEXT NOT NULL, slug TEXT NOT NULL, alt_slug TEXT NOT NULL, section TEXT NOT NULL,
    section_slug TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, html TEXT NOT NULL, authors TEXT NOT NULL,
    tags TEXT NOT NULL, image TEXT, published_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, format TEXT NOT NULL`;
  await db.batch([
    db.prepare(`CREATE TABLE articles (state TEXT NOT NULL CHECK (state IN ('live', 'waiting', 'scheduled')), ${definitions}, PRIMARY KEY (state, path))`),
    db.prepare(`CREATE TABLE put_incoming (${definitions}, outcome TEXT, owner TEXT)`),
    db.prepare(FROZEN_BEFORE_VERSIONS),
  ]);
  // The rest of the schema (spellings and its triggers among it) as this release has it.
  await db.batch(D1_SCHEMA.map((sql) => db.prepare(sql)));
  await db.batch([insertBeforeVersions(db, 'live', makeArticle()), insertBeforeVersions(db, 'scheduled', makeArticle({ path: 'news/later.md', publishedAt: day(40) }))]);
  return db;
}

describe('applyD1Schema on a database made before version names', () => {
  let db: D1Database;
  const now = () => day(31);

  beforeEach(async () => {
    db = await databaseBeforeVersions();
  });

  it('names the versions of the rows it has and keeps them published', async () => {
    expect(await columnsOf(db, 'articles')).not.toContain('version');
    await applyD1Schema(db);
    expect(await columnsOf(db, 'articles')).toContain('version');
    expect(await columnsOf(db, 'put_incoming')).toContain('version');
    expect(await columnsOf(db, 'articles')).toContain('attribution');
    expect(await columnsOf(db, 'put_incoming')).toContain('attribution');
    const rows = (await db.prepare('SELECT path, version FROM articles ORDER BY state').all<{ path: string; version: string }>()).results;
    expect(rows.map((row) => row.path)).toEqual(['news/launch.md', 'news/later.md']);
    for (const row of rows) expect(row.version).toMatch(/^legacy-[0-9a-f]{32}$/);
    expect(rows[0]!.version).not.toBe(rows[1]!.version);

    const store = createD1Store(db, { now });
    const [listed] = (await store.list({ limit: 10 })).items;
    expect(listed).toMatchObject({ version: rows[0]!.version, slug: 'launch', sectionName: 'News' });
    expect(await store.content('news/launch.md')).toEqual({ html: makeArticle().html, summary: makeArticle().summary });
    // The same content again is unchanged and keeps its name; new content gets a content-hash name.
    expect(await store.put(makeArticle())).toEqual({ ok: true, change: 'unchanged' });
    expect((await store.find('news', 'launch'))?.version).toBe(rows[0]!.version);
    expect(await store.put(makeArticle({ title: 'Edited' }))).toEqual({ ok: true, change: 'updated' });
    expect((await store.find('news', 'launch'))?.version).toMatch(/^[0-9a-f]{64}$/);
    // The added attribution column is written and read back.
    const attribution = { source: 'Wikinews', sourceUrl: 'https://en.wikinews.org/wiki/A', license: 'CC BY 2.5' };
    expect(await store.put(makeArticle({ title: 'Edited', attribution }))).toEqual({ ok: true, change: 'updated' });
    expect((await store.get('news/launch.md'))?.attribution).toEqual(attribution);
  });

  it('names the rows a Worker of the previous release writes after the upgrade, and still freezes live rows', async () => {
    await applyD1Schema(db);
    await insertBeforeVersions(db, 'live', makeArticle({ path: 'news/old-worker.md' })).run();
    const row = await db.prepare(`SELECT version FROM articles WHERE path = 'news/old-worker.md'`).first<{ version: string | null }>();
    expect(row?.version).toMatch(/^legacy-/);
    await expect(db.prepare(`UPDATE articles SET title = 'x' WHERE path = 'news/launch.md'`).run()).rejects.toThrow(/never updated/);
    await expect(db.prepare(`UPDATE articles SET attribution = 'x' WHERE path = 'news/launch.md'`).run()).rejects.toThrow(/never updated/);
  });

  it('upgrades once when several isolates apply it at once', async () => {
    await Promise.all([applyD1Schema(db), applyD1Schema(db), applyD1Schema(db)]);
    await applyD1Schema(db);
    const versions = (await db.prepare('SELECT DISTINCT version FROM articles').all()).results;
    expect(versions).toHaveLength(2);
    const triggers = (await db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`).all<{ name: string }>()).results;
    expect(triggers.map(({ name }) => name)).toEqual([
      'articles_counted_added',
      'articles_counted_moved',
      'articles_counted_removed',
      'articles_live_added',
      'articles_live_frozen',
      'articles_live_removed',
      'articles_live_renditions_dropped',
      'articles_live_terms_added',
      'articles_live_terms_filled',
      'articles_live_terms_removed',
      'articles_version_filled',
      'listing_buckets_added',
      'listing_buckets_removed',
      'listing_buckets_term_added',
      'listing_buckets_term_removed',
    ]);
  });

  it('gives the rows it has their tags and authors, so their listings are complete at once', async () => {
    await applyD1Schema(db);
    expect((await db.prepare('SELECT COUNT(*) AS n FROM articles WHERE terms IS NULL').first<{ n: number }>())?.n).toBe(0);
    let clock = day(31);
    const store = createD1Store(db, { now: () => clock });
    expect((await store.list({ tag: 'world', limit: 10 })).items.map((item) => item.article.path)).toEqual(['news/launch.md']);
    expect((await store.list({ author: 'ada-reporter', limit: 10 })).items.map((item) => item.article.path)).toEqual(['news/launch.md']);
    expect(await store.listTerms('tag')).toEqual([
      { slug: 'launch', name: 'launch', articles: 1, updatedAt: day(1) },
      { slug: 'world', name: 'world', articles: 1, updatedAt: day(1) },
    ]);
    expect(await store.revision('tag:world')).toBeGreaterThan(0);
    // The scheduled row got its terms too: listed under them once due.
    clock = day(41);
    expect((await store.list({ tag: 'world', limit: 10 })).items.map((item) => item.article.path)).toEqual(['news/later.md', 'news/launch.md']);
    expect(await store.remove('news/launch.md')).toBe(true);
    expect((await store.list({ author: 'ada-reporter', limit: 10 })).total).toBe(1);
  });
});
