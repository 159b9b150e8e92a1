// The D1 schema inside workerd: a database made before a column existed is brought up to date.
import { env, reset } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/publish.ts';
import { createD1Publisher } from '../../src/workers/d1-publisher.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import { applyD1Schema, D1_ADDED_COLUMNS } from '../../src/workers/schema.ts';

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
