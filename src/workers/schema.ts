// The D1 schema behind the Workers store and publisher, applied lazily once per isolate and
// binding. Every statement is idempotent (`IF NOT EXISTS`), so D1_SCHEMA can also become a
// migration file as it stands; columns added later are in D1_ADDED_COLUMNS.
import type { D1Database } from '@cloudflare/workers-types';
import { ConfigError } from '../errors.ts';

/** Article columns, in the order d1-rows.ts binds them. `state` comes first in the table. */
export const ARTICLE_COLUMNS = [
  'path',
  'id',
  'slug',
  'alt_slug',
  'section',
  'section_slug',
  'title',
  'summary',
  'html',
  'authors',
  'tags',
  'image',
  'published_at',
  'updated_at',
  'format',
] as const;

const ARTICLE_COLUMN_DEFS = `
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  slug TEXT NOT NULL,
  alt_slug TEXT NOT NULL,      -- suffixedSlug(slug, path): the page slug when an older article has this slug
  section TEXT NOT NULL,       -- this article's spelling of its section
  section_slug TEXT NOT NULL,
  title TEXT NOT NULL,
  summary TEXT NOT NULL,
  html TEXT NOT NULL,
  authors TEXT NOT NULL,       -- JSON, keys sorted
  tags TEXT NOT NULL,          -- JSON
  image TEXT,
  published_at INTEGER NOT NULL,  -- epoch milliseconds
  updated_at INTEGER NOT NULL,
  format TEXT NOT NULL`;

/**
 * The schema, one statement per entry. `articles` holds every version the store keeps:
 * `live` (published), `waiting` (refused for an id another path publishes) and `scheduled`
 * (dated in the future). Live rows are only ever inserted or deleted, never updated, so two
 * triggers keep `spellings` (articles per section spelling: counts and display names) and
 * `put_touched` (sections a write changed, for revisions) right whatever statement ran.
 * `put_*` tables are scratch space for one write batch and are empty between batches.
 */
export const D1_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS articles (
  state TEXT NOT NULL CHECK (state IN ('live', 'waiting', 'scheduled')),${ARTICLE_COLUMN_DEFS},
  PRIMARY KEY (state, path)
)`,
  // One live article per id. The other indexes lead with `state`, so every query names the
  // state it wants and SQLite seeks straight to it (no planner statistics needed).
  `CREATE UNIQUE INDEX IF NOT EXISTS articles_live_id ON articles (id) WHERE state = 'live'`,
  `CREATE INDEX IF NOT EXISTS articles_newest ON articles (state, section_slug, published_at DESC, path)`,
  `CREATE INDEX IF NOT EXISTS articles_all_newest ON articles (state, published_at DESC, path)`,
  `CREATE INDEX IF NOT EXISTS articles_slug ON articles (state, section_slug, slug, published_at, path)`,
  `CREATE INDEX IF NOT EXISTS articles_alt_slug ON articles (state, section_slug, alt_slug, published_at, path)`,
  `CREATE INDEX IF NOT EXISTS articles_updated ON articles (state, section_slug, updated_at)`,
  `CREATE INDEX IF NOT EXISTS articles_by_id ON articles (state, id, path)`,
  `CREATE TABLE IF NOT EXISTS rejections (path TEXT PRIMARY KEY, reason TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS spellings (
  section_slug TEXT NOT NULL,
  spelling TEXT NOT NULL,
  articles INTEGER NOT NULL,
  PRIMARY KEY (section_slug, spelling)
)`,
  // One row per section that ever had a change; the global revision is the largest.
  `CREATE TABLE IF NOT EXISTS revisions (
  section_slug TEXT PRIMARY KEY,
  revision INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS revisions_latest ON revisions (revision)`,
  `CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime TEXT NOT NULL,
  first_seen_at INTEGER,  -- epoch ms of the path's first upload; NULL on rows older than the column
  changed_at INTEGER      -- epoch ms of the last upload that changed its bytes; NULL = never changed
)`,
  `CREATE TABLE IF NOT EXISTS put_incoming (${ARTICLE_COLUMN_DEFS},
  outcome TEXT,
  owner TEXT
)`,
  `CREATE TABLE IF NOT EXISTS put_touched (section_slug TEXT PRIMARY KEY)`,
  `CREATE TABLE IF NOT EXISTS put_settle (path TEXT PRIMARY KEY)`,
  // Always empty: a write that finds a scheduled article due inserts here and fails, whole.
  `CREATE TABLE IF NOT EXISTS put_gate (due INTEGER CONSTRAINT scheduled_article_due CHECK (due = 0))`,
  // Always empty too: an upload that finds its path's file record changed since it read it
  // fails here, whole, and is read and sent again (d1-publisher.ts).
  `CREATE TABLE IF NOT EXISTS put_file_gate (stale INTEGER CONSTRAINT file_record_changed CHECK (stale = 0))`,
  `CREATE TRIGGER IF NOT EXISTS articles_live_added AFTER INSERT ON articles WHEN new.state = 'live'
BEGIN
  INSERT INTO spellings (section_slug, spelling, articles) VALUES (new.section_slug, new.section, 1)
    ON CONFLICT (section_slug, spelling) DO UPDATE SET articles = articles + 1;
  INSERT OR IGNORE INTO put_touched (section_slug) VALUES (new.section_slug);
END`,
  `CREATE TRIGGER IF NOT EXISTS articles_live_removed AFTER DELETE ON articles WHEN old.state = 'live'
BEGIN
  UPDATE spellings SET articles = articles - 1
    WHERE section_slug = old.section_slug AND spelling = old.section;
  DELETE FROM spellings WHERE section_slug = old.section_slug AND spelling = old.section AND articles <= 0;
  INSERT OR IGNORE INTO put_touched (section_slug) VALUES (old.section_slug);
END`,
  `CREATE TRIGGER IF NOT EXISTS articles_live_frozen BEFORE UPDATE ON articles
  WHEN old.state = 'live' OR new.state = 'live'
BEGIN
  SELECT RAISE(ABORT, 'live articles are replaced (DELETE, INSERT), never updated');
END`,
];

/**
 * Columns added to a table after its first release. D1_SCHEMA creates new tables with them;
 * applyD1Schema adds the missing ones to a database made by an older version (SQLite has no
 * `ADD COLUMN IF NOT EXISTS`, so what a table has is read first). Only nullable columns here.
 */
export const D1_ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: 'files', column: 'first_seen_at', type: 'INTEGER' },
  { table: 'files', column: 'changed_at', type: 'INTEGER' },
];

/** Throws a ConfigError unless `db` is a D1 database binding; `factory` names the caller. */
export function assertD1Database(db: unknown, factory: string): asserts db is D1Database {
  const candidate = db as Partial<D1Database> | null | undefined;
  if (typeof candidate?.prepare !== 'function' || typeof candidate.batch !== 'function') {
    throw new ConfigError(
      `${factory} needs a D1 database binding, got ${db === undefined ? 'undefined' : typeof db}: ` +
        'add a [[d1_databases]] binding (binding = "DB") to wrangler.toml',
    );
  }
}

const applied = new WeakMap<D1Database, Promise<void>>();

/** Applies D1_SCHEMA now, in one transaction, then adds any of D1_ADDED_COLUMNS missing. */
export async function applyD1Schema(db: D1Database): Promise<void> {
  const tables = [...new Set(D1_ADDED_COLUMNS.map(({ table }) => table))];
  const results = await db.batch([
    ...D1_SCHEMA.map((sql) => db.prepare(sql)),
    ...tables.map((table) => db.prepare(`PRAGMA table_info(${table})`)),
  ]);
  const missing = missingColumns(tables, results.slice(D1_SCHEMA.length).map((result) => result.results));
  if (missing.length === 0) return;
  const alter = missing.map(({ table, column, type }) => db.prepare(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`));
  try {
    await db.batch(alter);
  } catch (error) {
    // Another isolate may have added them in the meantime: only a column still missing is a failure.
    const again = await db.batch(tables.map((table) => db.prepare(`PRAGMA table_info(${table})`)));
    if (missingColumns(tables, again.map((result) => result.results)).length > 0) throw error;
  }
}

/** The D1_ADDED_COLUMNS absent from `info`, the `PRAGMA table_info` rows of each of `tables`. */
function missingColumns(tables: string[], info: unknown[][]): (typeof D1_ADDED_COLUMNS)[number][] {
  const present = new Set(
    tables.flatMap((table, i) => (info[i] as { name: string }[]).map(({ name }) => `${table}.${name}`)),
  );
  return D1_ADDED_COLUMNS.filter(({ table, column }) => !present.has(`${table}.${column}`));
}

/** Applies D1_SCHEMA once per isolate and binding; a failure is retried on the next call. */
export function ensureD1Schema(db: D1Database): Promise<void> {
  let done = applied.get(db);
  if (done === undefined) {
    done = applyD1Schema(db);
    done.catch(() => applied.delete(db));
    applied.set(db, done);
  }
  return done;
}
