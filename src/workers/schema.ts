// The D1 schema behind the Workers store and publisher, applied lazily once per isolate and
// binding. Every statement is idempotent (`IF NOT EXISTS`), so D1_SCHEMA can also become a
// migration file as it stands; columns added later are in D1_ADDED_COLUMNS, and what needs
// them in D1_AFTER_COLUMNS.
import type { D1Database } from '@cloudflare/workers-types';
import { ConfigError, StoreError, errorMessage } from '../errors.ts';
import { articleTerms } from '../store/terms.ts';

/** The article columns an article's content decides, in the order d1-rows.ts binds them. */
export const CONTENT_COLUMNS = [
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
  'attribution',
  'published_at',
  'updated_at',
  'format',
] as const;

/**
 * Article columns, in the order d1-rows.ts binds them: the content, its version name, then its
 * terms (derived from `tags` and `authors`, so not part of the content). `state` comes first in the table.
 */
export const ARTICLE_COLUMNS = [...CONTENT_COLUMNS, 'version', 'terms'] as const;

// The body and summary come last in a row made by this schema: a listing reads the columns before
// them without walking the body's overflow pages. (A table made before `version` existed has it
// after the body, where ALTER TABLE puts it.)
const ARTICLE_COLUMN_DEFS = `
  path TEXT NOT NULL,
  id TEXT NOT NULL,
  slug TEXT NOT NULL,
  alt_slug TEXT NOT NULL,      -- suffixedSlug(slug, path): the page slug when an older article has this slug
  section TEXT NOT NULL,       -- this article's spelling of its section
  section_slug TEXT NOT NULL,
  title TEXT NOT NULL,
  authors TEXT NOT NULL,       -- JSON, keys sorted
  tags TEXT NOT NULL,          -- JSON
  image TEXT,
  attribution TEXT,            -- JSON (Attribution), keys sorted; NULL when the article gives none
  published_at INTEGER NOT NULL,  -- epoch milliseconds
  updated_at INTEGER NOT NULL,
  format TEXT NOT NULL,
  version TEXT,                -- names the content (d1-rows.ts contentVersion); never NULL in articles once applied
  terms TEXT,                  -- JSON [[kind, slug, name], …]: store/terms.ts articleTerms; NULL only in rows older than the column until filled
  summary TEXT NOT NULL,
  html TEXT NOT NULL`;

/**
 * Live rows are only ever inserted or deleted, so the triggers that count spellings and touched
 * sections see every change; only `version` may be set in place (legacy rows, see D1_AFTER_COLUMNS).
 */
const ARTICLES_FROZEN = `CREATE TRIGGER IF NOT EXISTS articles_live_frozen
  BEFORE UPDATE OF state, ${CONTENT_COLUMNS.join(', ')} ON articles
  WHEN old.state = 'live' OR new.state = 'live'
BEGIN
  SELECT RAISE(ABORT, 'live articles are replaced (DELETE, INSERT), never updated');
END`;

/** Bits of `published_at` (ms) below a listing bucket's: 2^26 ms, about 18.6 hours (d1-queries.ts pages by them). */
export const LISTING_BUCKET_BITS = 26;

/** The version name of a row that came without one: unique, so nothing cached for another content matches it. */
const LEGACY_VERSION = `'legacy-' || lower(hex(randomblob(16)))`;

/**
 * The schema, one statement per entry. `articles` holds every version the store keeps:
 * `live` (published), `waiting` (refused for an id another path publishes) and `scheduled`
 * (dated in the future). Live rows are only ever inserted or deleted (their version name aside,
 * see ARTICLES_FROZEN), so two triggers keep `spellings` (articles per section spelling: counts and display names) and
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
  // Rows of `articles` per state ('live', 'waiting', 'scheduled'), kept by the articles_counted_*
  // triggers (D1_AFTER_COLUMNS) in the transaction of every write: /status and the combined
  // feed's total read one row instead of counting a million.
  `CREATE TABLE IF NOT EXISTS counts (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
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
  // Item markup rendered when the article was published (d1-publisher.ts), one row per kind
  // (item-cache.ts kindName); `key` is what it was rendered for (renditionKey).
  `CREATE TABLE IF NOT EXISTS renditions (
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  markup TEXT NOT NULL,
  has_body INTEGER NOT NULL,
  PRIMARY KEY (path, kind)
)`,
  // The tags and authors of live articles (store/terms.ts), one row per article and term, kept by
  // the articles_live_terms_* triggers (D1_AFTER_COLUMNS): a tag's page is one range of
  // article_terms_newest, its total and name one range of term_spellings.
  `CREATE TABLE IF NOT EXISTS article_terms (
  kind TEXT NOT NULL,          -- 'tag' or 'author'
  slug TEXT NOT NULL,
  path TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, slug, path)
)`,
  `CREATE INDEX IF NOT EXISTS article_terms_newest ON article_terms (kind, slug, published_at DESC, path)`,
  `CREATE INDEX IF NOT EXISTS article_terms_updated ON article_terms (kind, slug, updated_at)`,
  `CREATE TABLE IF NOT EXISTS term_spellings (
  kind TEXT NOT NULL,
  slug TEXT NOT NULL,
  spelling TEXT NOT NULL,
  articles INTEGER NOT NULL,
  PRIMARY KEY (kind, slug, spelling)
)`,
  // Live articles per listing and 2^26 ms of publication (`published_at >> 26`, about 18.6 hours),
  // kept by the listing_buckets_* triggers (D1_AFTER_COLUMNS): a deep page (d1-queries.ts `page`)
  // finds the bucket its first article is in from these rows, then skips only within that bucket.
  // `scope`: a section's slug, '' for all sections, `tag:{slug}` or `author:{slug}` (terms.ts termScope).
  `CREATE TABLE IF NOT EXISTS listing_buckets (
  scope TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  articles INTEGER NOT NULL,
  PRIMARY KEY (scope, bucket)
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
  ARTICLES_FROZEN,
  // Renditions go with the published version they were made from: a new version brings its own.
  `CREATE TRIGGER IF NOT EXISTS articles_live_renditions_dropped AFTER DELETE ON articles WHEN old.state = 'live'
BEGIN
  DELETE FROM renditions WHERE path = old.path;
END`,
];

export interface AddedColumn {
  table: string;
  column: string;
  type: string;
  /** Statements that bring the table's rows up to date, run in the transaction that adds the column. */
  then?: readonly string[];
}

/**
 * Columns added to a table after its first release. D1_SCHEMA creates new tables with them;
 * applyD1Schema adds the missing ones to a database made by an older version (SQLite has no
 * `ADD COLUMN IF NOT EXISTS`, so what a table has is read first). Only nullable columns here.
 */
export const D1_ADDED_COLUMNS: readonly AddedColumn[] = [
  { table: 'files', column: 'first_seen_at', type: 'INTEGER' },
  { table: 'files', column: 'changed_at', type: 'INTEGER' },
  {
    table: 'articles',
    column: 'version',
    type: 'TEXT',
    // The first release froze every column of live rows; rows it wrote get a version name of their own.
    then: [
      `DROP TRIGGER IF EXISTS articles_live_frozen`,
      ARTICLES_FROZEN,
      `UPDATE articles SET version = ${LEGACY_VERSION} WHERE version IS NULL`,
    ],
  },
  { table: 'put_incoming', column: 'version', type: 'TEXT' },
  {
    table: 'articles',
    column: 'attribution',
    type: 'TEXT',
    // The frozen-columns trigger names every content column: made again to cover this one.
    then: [`DROP TRIGGER IF EXISTS articles_live_frozen`, ARTICLES_FROZEN],
  },
  { table: 'put_incoming', column: 'attribution', type: 'TEXT' },
  // Rows older than `terms` get theirs from fillD1Terms, run by the isolate that added the column.
  { table: 'articles', column: 'terms', type: 'TEXT' },
  { table: 'put_incoming', column: 'terms', type: 'TEXT' },
];

/** Each term of the row `row` (`new` or `old`) as kind, slug and name, from its `terms` JSON. */
const termsOf = (row: string, columns: string): string =>
  `SELECT ${columns} FROM (SELECT json_extract(t.value, '$[0]') AS kind, json_extract(t.value, '$[1]') AS slug,
    json_extract(t.value, '$[2]') AS name FROM json_each(${row}.terms) AS t)`;

/** What a live row arriving with terms adds: its article_terms rows, spelling counts and touched listings. */
const TERMS_ADDED = `INSERT INTO article_terms (kind, slug, path, published_at, updated_at)
    ${termsOf('new', 'kind, slug, new.path, new.published_at, new.updated_at')};
  INSERT INTO term_spellings (kind, slug, spelling, articles) ${termsOf('new', 'kind, slug, name, 1')} WHERE true
    ON CONFLICT (kind, slug, spelling) DO UPDATE SET articles = articles + 1;
  INSERT OR IGNORE INTO put_touched (section_slug) ${termsOf('new', "kind || ':' || slug")};`;

/**
 * Triggers that name added columns, so they can only exist once the columns do (SQLite checks
 * the columns when the trigger fires, not when it is created: made before its column, a trigger
 * breaks every write an older Worker still sends). Created in the transaction that adds the
 * columns, or alone when a database has the columns but not the trigger. Also triggers that need
 * a statement run once, in the transaction that makes them (`then`: the counts they keep, counted).
 */
export const D1_AFTER_COLUMNS: readonly { trigger: string; sql: string; then?: readonly string[] }[] = [
  {
    trigger: 'articles_live_terms_added',
    sql: `CREATE TRIGGER IF NOT EXISTS articles_live_terms_added AFTER INSERT ON articles
  WHEN new.state = 'live' AND new.terms IS NOT NULL
BEGIN
  ${TERMS_ADDED}
END`,
  },
  {
    trigger: 'articles_live_terms_removed',
    sql: `CREATE TRIGGER IF NOT EXISTS articles_live_terms_removed AFTER DELETE ON articles
  WHEN old.state = 'live' AND old.terms IS NOT NULL
BEGIN
  DELETE FROM article_terms WHERE (kind, slug, path) IN (${termsOf('old', 'kind, slug, old.path')});
  UPDATE term_spellings SET articles = articles - 1 WHERE (kind, slug, spelling) IN (${termsOf('old', 'kind, slug, name')});
  DELETE FROM term_spellings WHERE articles <= 0 AND (kind, slug, spelling) IN (${termsOf('old', 'kind, slug, name')});
  INSERT OR IGNORE INTO put_touched (section_slug) ${termsOf('old', "kind || ':' || slug")};
END`,
  },
  {
    // fillD1Terms: a live row from before the column gets its terms in place.
    trigger: 'articles_live_terms_filled',
    sql: `CREATE TRIGGER IF NOT EXISTS articles_live_terms_filled AFTER UPDATE OF terms ON articles
  WHEN new.state = 'live' AND old.terms IS NULL AND new.terms IS NOT NULL
BEGIN
  ${TERMS_ADDED}
END`,
  },
  {
    // The counts start from what the table holds, counted once in the transaction that makes their
    // triggers; from then on every insert, delete and change of state moves them.
    trigger: 'articles_counted_added',
    sql: `CREATE TRIGGER IF NOT EXISTS articles_counted_added AFTER INSERT ON articles
BEGIN
  UPDATE counts SET value = value + 1 WHERE name = new.state;
END`,
    then: [
      `CREATE TRIGGER IF NOT EXISTS articles_counted_removed AFTER DELETE ON articles
BEGIN
  UPDATE counts SET value = value - 1 WHERE name = old.state;
END`,
      `CREATE TRIGGER IF NOT EXISTS articles_counted_moved AFTER UPDATE OF state ON articles WHEN old.state IS NOT new.state
BEGIN
  UPDATE counts SET value = value - 1 WHERE name = old.state;
  UPDATE counts SET value = value + 1 WHERE name = new.state;
END`,
      `INSERT OR REPLACE INTO counts (name, value)
  SELECT s.state, (SELECT COUNT(*) FROM articles a WHERE a.state = s.state)
  FROM (SELECT 'live' AS state UNION ALL SELECT 'waiting' UNION ALL SELECT 'scheduled') AS s`,
    ],
  },
  {
    // As `counts`: the buckets start from what the tables hold, counted in the transaction that makes their triggers.
    trigger: 'listing_buckets_added',
    sql: `CREATE TRIGGER IF NOT EXISTS listing_buckets_added AFTER INSERT ON articles WHEN new.state = 'live'
BEGIN
  INSERT INTO listing_buckets (scope, bucket, articles)
    VALUES (new.section_slug, new.published_at >> ${LISTING_BUCKET_BITS}, 1), ('', new.published_at >> ${LISTING_BUCKET_BITS}, 1)
    ON CONFLICT (scope, bucket) DO UPDATE SET articles = articles + 1;
END`,
    then: [
      `CREATE TRIGGER IF NOT EXISTS listing_buckets_removed AFTER DELETE ON articles WHEN old.state = 'live'
BEGIN
  UPDATE listing_buckets SET articles = articles - 1
    WHERE scope IN (old.section_slug, '') AND bucket = old.published_at >> ${LISTING_BUCKET_BITS};
  DELETE FROM listing_buckets WHERE scope IN (old.section_slug, '') AND bucket = old.published_at >> ${LISTING_BUCKET_BITS} AND articles <= 0;
END`,
      `CREATE TRIGGER IF NOT EXISTS listing_buckets_term_added AFTER INSERT ON article_terms
BEGIN
  INSERT INTO listing_buckets (scope, bucket, articles) VALUES (new.kind || ':' || new.slug, new.published_at >> ${LISTING_BUCKET_BITS}, 1)
    ON CONFLICT (scope, bucket) DO UPDATE SET articles = articles + 1;
END`,
      `CREATE TRIGGER IF NOT EXISTS listing_buckets_term_removed AFTER DELETE ON article_terms
BEGIN
  UPDATE listing_buckets SET articles = articles - 1 WHERE scope = old.kind || ':' || old.slug AND bucket = old.published_at >> ${LISTING_BUCKET_BITS};
  DELETE FROM listing_buckets WHERE scope = old.kind || ':' || old.slug AND bucket = old.published_at >> ${LISTING_BUCKET_BITS} AND articles <= 0;
END`,
      `DELETE FROM listing_buckets`,
      `INSERT INTO listing_buckets (scope, bucket, articles)
  SELECT section_slug, published_at >> ${LISTING_BUCKET_BITS}, COUNT(*) FROM articles WHERE state = 'live' GROUP BY 1, 2
  UNION ALL SELECT '', published_at >> ${LISTING_BUCKET_BITS}, COUNT(*) FROM articles WHERE state = 'live' GROUP BY 2
  UNION ALL SELECT kind || ':' || slug, published_at >> ${LISTING_BUCKET_BITS}, COUNT(*) FROM article_terms GROUP BY 1, 2`,
    ],
  },
  {
    // A Worker of the previous release, still running during a deploy, writes rows without a version.
    trigger: 'articles_version_filled',
    sql: `CREATE TRIGGER IF NOT EXISTS articles_version_filled AFTER INSERT ON articles WHEN new.version IS NULL
BEGIN
  UPDATE articles SET version = ${LEGACY_VERSION} WHERE rowid = new.rowid;
END`,
  },
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

/**
 * Applies D1_SCHEMA now, in one transaction, then adds any of D1_ADDED_COLUMNS missing and any
 * of D1_AFTER_COLUMNS, in a second one. A database already up to date takes one round trip.
 */
export async function applyD1Schema(db: D1Database): Promise<void> {
  const tables = [...new Set(D1_ADDED_COLUMNS.map(({ table }) => table))];
  const describe = () => [
    ...tables.map((table) => db.prepare(`PRAGMA table_info(${table})`)),
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`),
  ];
  const results = await db.batch([...D1_SCHEMA.map((sql) => db.prepare(sql)), ...describe()]);
  const wanted = missingParts(tables, results.slice(D1_SCHEMA.length).map((result) => result.results));
  if (wanted.columns.length === 0 && wanted.triggers.length === 0) return;
  const upgrade = [
    ...wanted.columns.flatMap(({ table, column, type, then = [] }) => [`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`, ...then]),
    ...wanted.triggers.flatMap(({ sql, then = [] }) => [sql, ...then]),
  ];
  try {
    await db.batch(upgrade.map((sql) => db.prepare(sql)));
  } catch (error) {
    // Another isolate may have upgraded it in the meantime: only a part still missing is a failure.
    const again = await db.batch(describe());
    const still = missingParts(tables, again.map((result) => result.results));
    if (still.columns.length > 0 || still.triggers.length > 0) throw error;
    return;
  }
  if (wanted.columns.some(({ table, column }) => table === 'articles' && column === 'terms')) await fillD1Terms(db);
}

/** Rows per batch of fillD1Terms. */
const FILL_CHUNK = 100;

/**
 * Gives every row from before the `terms` column its terms (slugs are folded in JavaScript, see
 * store/terms.ts, so SQL cannot): the articles_live_terms_filled trigger indexes live ones, and
 * each batch ends as a write does, with one revision for the listings it touched.
 */
export async function fillD1Terms(db: D1Database, now = Date.now): Promise<void> {
  for (;;) {
    const { results } = await db
      .prepare(`SELECT state, path, tags, authors FROM articles WHERE terms IS NULL LIMIT ${FILL_CHUNK}`)
      .all<{ state: string; path: string; tags: string; authors: string }>();
    if (results.length === 0) return;
    const updates = results.map((row) =>
      db
        .prepare(`UPDATE articles SET terms = ?1 WHERE state = ?2 AND path = ?3`)
        .bind(termsJson({ tags: JSON.parse(row.tags) as string[], authors: JSON.parse(row.authors) as { name: string }[] }), row.state, row.path),
    );
    // As d1-write-sql.ts COMMIT does (that module needs this one, so it is not imported here).
    await db.batch([
      ...updates,
      db
        .prepare(
          `INSERT INTO revisions (section_slug, revision, changed_at)
    SELECT section_slug, (SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions), ?1 FROM put_touched WHERE true
    ON CONFLICT (section_slug) DO UPDATE SET revision = excluded.revision, changed_at = excluded.changed_at`,
        )
        .bind(now()),
      db.prepare(`DELETE FROM put_touched`),
    ]);
  }
}

/** The `terms` column of an article: its tags and authors as `[[kind, slug, name], …]`. */
export function termsJson(article: { tags: readonly string[]; authors: readonly { name: string }[] }): string {
  return JSON.stringify(articleTerms(article).map(({ kind, slug, name }) => [kind, slug, name]));
}

/** What of D1_ADDED_COLUMNS and D1_AFTER_COLUMNS `info` lacks: the `PRAGMA table_info` rows of each of `tables`, then the triggers. */
function missingParts(tables: string[], info: unknown[][]): { columns: AddedColumn[]; triggers: (typeof D1_AFTER_COLUMNS)[number][] } {
  const present = new Set(
    tables.flatMap((table, i) => (info[i] as { name: string }[]).map(({ name }) => `${table}.${name}`)),
  );
  const triggers = new Set((info[tables.length] as { name: string }[]).map(({ name }) => name));
  return {
    columns: D1_ADDED_COLUMNS.filter(({ table, column }) => !present.has(`${table}.${column}`)),
    triggers: D1_AFTER_COLUMNS.filter(({ trigger }) => !triggers.has(trigger)),
  };
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

/**
 * Runs one D1 operation of the store or the publisher: the schema first (ensureD1Schema), and a
 * failure other than a StoreError wrapped in one saying what was being done, `${what} failed: …`.
 */
export async function runWithD1Schema<T>(db: D1Database, what: string, work: () => Promise<T>): Promise<T> {
  try {
    await ensureD1Schema(db);
    return await work();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${what} failed: ${errorMessage(error)}`, { cause: error });
  }
}
