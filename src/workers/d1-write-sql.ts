// The SQL of the D1 store's writes. Every statement reads the staged article from
// `put_incoming` (zero or one row) or works on whole sets, so one fixed list of statements
// makes all of a write's decisions inside its transaction, from the state at that moment.
import { ID_TAKEN_TEXT } from '../store/rules.ts';
import { ARTICLE_COLUMNS, CONTENT_COLUMNS } from './schema.ts';

export const COLUMNS = ARTICLE_COLUMNS.join(', ');
export const ALL_STATES = `state IN ('live', 'waiting', 'scheduled')`;
const INCOMING_PATH = `path IN (SELECT path FROM put_incoming)`;
export const placeholders = (from: number): string => ARTICLE_COLUMNS.map((_, i) => `?${from + i}`).join(', ');
/** The reason recorded for a path refused because `owner` publishes its id: rules.ts `idTaken`, in SQL. */
const idTakenSql = (id: string, owner: string): string => `'${ID_TAKEN_TEXT.before}' || ${id} || '${ID_TAKEN_TEXT.between}' || ${owner}`;
const IS_LIVE_AT_PATH = `a.state = 'live' AND a.path = put_incoming.path`;
const ID_OWNED_ELSEWHERE = `a.state = 'live' AND a.id = put_incoming.id AND a.path <> put_incoming.path`;
// The version name follows from the rest (a row from before versions has a legacy one: still the same content).
const SAME_CONTENT = CONTENT_COLUMNS.map((column) => `a.${column} IS put_incoming.${column}`).join(' AND ');

/**
 * Publishing the staged article (`put_incoming`, zero or one row), memory.ts `putNow`:
 * refused when another path publishes its id (kept waiting for it), unchanged when equal to
 * the live version, else added or updated. With no staged row every statement does nothing.
 */
export const PUBLISH_STAGED: readonly string[] = [
  `DELETE FROM articles WHERE state = 'scheduled' AND ${INCOMING_PATH}`,
  `UPDATE put_incoming SET
    owner = (SELECT a.path FROM articles a WHERE ${ID_OWNED_ELSEWHERE}),
    outcome = CASE
      WHEN EXISTS (SELECT 1 FROM articles a WHERE ${ID_OWNED_ELSEWHERE}) THEN 'refused'
      WHEN EXISTS (SELECT 1 FROM articles a WHERE ${IS_LIVE_AT_PATH} AND ${SAME_CONTENT}) THEN 'unchanged'
      WHEN EXISTS (SELECT 1 FROM articles a WHERE ${IS_LIVE_AT_PATH}) THEN 'updated'
      ELSE 'added'
    END`,
  `DELETE FROM articles WHERE state = 'waiting' AND ${INCOMING_PATH}`,
  `INSERT INTO articles (state, ${COLUMNS}) SELECT 'waiting', ${COLUMNS} FROM put_incoming WHERE outcome = 'refused'`,
  `DELETE FROM rejections WHERE ${INCOMING_PATH}`,
  `INSERT INTO rejections (path, reason)
    SELECT path, ${idTakenSql('id', 'owner')} FROM put_incoming WHERE outcome = 'refused'`,
  `DELETE FROM articles WHERE state = 'live' AND path IN (SELECT path FROM put_incoming WHERE outcome = 'updated')`,
  `INSERT INTO articles (state, ${COLUMNS})
    SELECT 'live', ${COLUMNS} FROM put_incoming WHERE outcome IN ('added', 'updated')`,
];

/** Waiting paths whose id no live article publishes any more (memory.ts `release`). */
const ORPHANS = `articles w WHERE w.state = 'waiting'
  AND NOT EXISTS (SELECT 1 FROM articles l WHERE l.state = 'live' AND l.id = w.id)`;

/**
 * One settling pass: for every id that lost its publisher, the waiting path sorting first
 * is published (replacing its live version, which may free another id: hence two passes per
 * batch, and COMMIT's `unsettled` asking the caller for more); the others now wait for it.
 */
export const SETTLE_PASS: readonly string[] = [
  `INSERT INTO put_settle (path) SELECT w.path FROM ${ORPHANS}
    AND w.path = (SELECT MIN(x.path) FROM articles x WHERE x.state = 'waiting' AND x.id = w.id)`,
  `DELETE FROM articles WHERE state = 'live' AND path IN (SELECT path FROM put_settle)`,
  `INSERT INTO articles (state, ${COLUMNS})
    SELECT 'live', ${COLUMNS} FROM articles WHERE state = 'waiting' AND path IN (SELECT path FROM put_settle)`,
  `DELETE FROM articles WHERE state = 'waiting' AND path IN (SELECT path FROM put_settle)`,
  `DELETE FROM rejections WHERE path IN (SELECT path FROM put_settle)`,
  `UPDATE rejections SET reason = (
      SELECT ${idTakenSql('w.id', 'l.path')} FROM articles w
      JOIN articles l ON l.state = 'live' AND l.id = w.id
      WHERE w.state = 'waiting' AND w.path = rejections.path)
    WHERE path IN (
      SELECT w.path FROM articles w JOIN articles l ON l.state = 'live' AND l.id = w.id
      WHERE w.state = 'waiting' AND l.path IN (SELECT path FROM put_settle))`,
  `DELETE FROM put_settle`,
];

/** Ends every write: one new revision, stamped ?1, for all the sections it touched. */
export const COMMIT: readonly string[] = [
  `INSERT INTO revisions (section_slug, revision, changed_at)
    SELECT section_slug, (SELECT COALESCE(MAX(revision), 0) + 1 FROM revisions), ?1 FROM put_touched WHERE true
    ON CONFLICT (section_slug) DO UPDATE SET revision = excluded.revision, changed_at = excluded.changed_at`,
  `DELETE FROM put_touched`,
  `SELECT EXISTS (SELECT 1 FROM ${ORPHANS}) AS unsettled`,
];


/** ?1 path, ?2 kind, ?3 key, ?4 markup, ?5 has_body, ?6 version: one rendition, kept while the live article at ?1 is ?6. */
export const KEEP_RENDITION = `INSERT INTO renditions (path, kind, key, markup, has_body)
  SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM articles WHERE state = 'live' AND path = ?1 AND version = ?6)
  ON CONFLICT (path, kind) DO UPDATE SET key = excluded.key, markup = excluded.markup, has_body = excluded.has_body`;
