// The read side of the D1 store: every answer is one indexed query (or a few sent together),
// with page slugs and section names resolved by SQL at read time, so no write ever has to
// recompute them for other articles.
//
// Order: SQLite compares text by UTF-8 bytes, memory.ts by UTF-16 code units (`<`). The two
// agree except where one string has U+E000–U+FFFF and the other a character beyond U+FFFF at
// the first difference, which matters only for path tie-breaks between such paths. Lists of
// sections and rejections are sorted in JavaScript, so they agree exactly.

import { LISTING_BUCKET_BITS } from './schema.ts';

/**
 * An older live article in the same section has this row's slug, so the row gets its
 * suffixed slug (slugs.ts: the article published first keeps the bare slug; ties by path).
 * One seek in `articles_live_slug`.
 */
const SLUG_TAKEN_EARLIER = `EXISTS (SELECT 1 FROM articles o
  WHERE o.state = 'live' AND o.section_slug = a.section_slug AND o.slug = a.slug
    AND (o.published_at < a.published_at OR (o.published_at = a.published_at AND o.path < a.path)))`;

/** The section's display name: the spelling most of its articles use; on a tie, the first. */
const sectionName = (slug: string): string => `(SELECT n.spelling FROM spellings n
  WHERE n.section_slug = ${slug} ORDER BY n.articles DESC, n.spelling LIMIT 1)`;

/** The columns of an ArticleMeta (d1-rows.ts MetaRow): never `html` or `summary`. */
const META = `a.path, a.id, a.slug, a.section, a.section_slug, a.title, a.authors, a.tags, a.image, a.attribution,
  a.published_at, a.updated_at, a.format, a.version`;

const LISTED = `${META},
  CASE WHEN ${SLUG_TAKEN_EARLIER} THEN a.alt_slug ELSE a.slug END AS page_slug,
  ${sectionName('a.section_slug')} AS section_name`;


/**
 * Where position `offset` of the listing `scope` falls (schema.ts `listing_buckets`): `start` is
 * one row, the bucket holding that position and how many articles come before the bucket; none
 * when the listing is shorter. Walks the listing's buckets (one small row per 18.6 hours that has
 * articles), not its articles.
 */
const startOf = (scope: string, offset: string): string => `WITH per_bucket AS (
    SELECT bucket, articles, SUM(articles) OVER (ORDER BY bucket DESC) AS through FROM listing_buckets WHERE scope = ${scope}
  ), start AS (SELECT bucket, through - articles AS before FROM per_bucket WHERE through > ${offset} AND through - articles <= ${offset})`;

/** Only articles published before the end of the start bucket (none when there is no start). */
const BEFORE_START_ENDS = `< ((SELECT bucket FROM start) + 1) << ${LISTING_BUCKET_BITS}`;
/** The offset within what BEFORE_START_ENDS leaves. */
const offsetInStart = (offset: string): string => `COALESCE(${offset} - (SELECT before FROM start), 0)`;

/**
 * A page of live articles, newest first. The inner query pages through the covering index
 * alone (rowids only), so skipped rows are never read; and it starts at the bucket holding the
 * page's first article, so it skips at most one bucket's articles, however deep the page (page
 * 1,000 of a section skips the few in its bucket, not 99,900). The outer query reads `limit`
 * rows, without their body and summary.
 */
function page(where: string, scope: string, first: number): string {
  return `${startOf(scope, `?${first + 1}`)}
  SELECT ${LISTED} FROM (
    SELECT rowid AS row FROM articles WHERE state = 'live'${where} AND published_at ${BEFORE_START_ENDS}
    ORDER BY published_at DESC, path LIMIT ?${first} OFFSET ${offsetInStart(`?${first + 1}`)}
  ) AS page_rows JOIN articles a ON a.rowid = page_rows.row
  ORDER BY a.published_at DESC, a.path`;
}

/**
 * A page of a tag's or an author's live articles, newest first: the inner query pages through
 * `article_terms_newest` alone from the page's bucket, the outer one reads each article by its primary key.
 */
const TERM_PAGE = `${startOf(`?1 || ':' || ?2`, '?4')}
  SELECT ${LISTED} FROM (
    SELECT t.path AS path FROM article_terms t WHERE t.kind = ?1 AND t.slug = ?2 AND t.published_at ${BEFORE_START_ENDS}
    ORDER BY t.published_at DESC, t.path LIMIT ?3 OFFSET ${offsetInStart('?4')}
  ) AS page_rows JOIN articles a ON a.state = 'live' AND a.path = page_rows.path
  ORDER BY a.published_at DESC, a.path`;

/** A term's display name: the spelling most of its articles use; on a tie, the first. */
const termName = (kind: string, slug: string): string => `(SELECT n.spelling FROM term_spellings n
  WHERE n.kind = ${kind} AND n.slug = ${slug} ORDER BY n.articles DESC, n.spelling LIMIT 1)`;

export const QUERIES = {
  /** ?1 kind, ?2 slug, ?3 limit, ?4 offset. */
  termPage: TERM_PAGE,
  /** ?1 kind, ?2 slug: its article count and display name. */
  termTotal: `SELECT COALESCE(SUM(articles), 0) AS total, ${termName('?1', '?2')} AS name
    FROM term_spellings WHERE kind = ?1 AND slug = ?2`,
  /** ?1 kind: every tag or author, as `sections` lists sections. */
  terms: `SELECT s.slug AS slug, SUM(s.articles) AS articles, ${termName('s.kind', 's.slug')} AS name,
      (SELECT t.updated_at FROM article_terms t WHERE t.kind = s.kind AND t.slug = s.slug
        ORDER BY t.updated_at DESC LIMIT 1) AS updated_at
    FROM term_spellings s WHERE s.kind = ?1 GROUP BY s.slug`,
  /** ?1 time: scheduled articles due by then, in the order memory.ts publishes them. */
  due: `SELECT path FROM articles WHERE state = 'scheduled' AND published_at <= ?1
    ORDER BY published_at, path LIMIT 50`,
  /** ?1 section, ?2 limit, ?3 offset. */
  sectionPage: page(' AND section_slug = ?1', '?1', 2),
  /** ?1 limit, ?2 offset. */
  allPage: page('', "''", 1),
  /** ?1 section. */
  sectionTotal: `SELECT COALESCE(SUM(articles), 0) AS total FROM spellings WHERE section_slug = ?1`,
  /** Live articles, as schema.ts `counts` keeps them. */
  allTotal: `SELECT COALESCE((SELECT value FROM counts WHERE name = 'live'), 0) AS total`,
  /** ?1 section, ?2 page slug: the oldest live article holding that page slug. */
  find: `SELECT * FROM (
    SELECT ${LISTED} FROM articles a
      WHERE a.state = 'live' AND a.section_slug = ?1 AND a.slug = ?2 AND NOT ${SLUG_TAKEN_EARLIER}
    UNION ALL
    SELECT ${LISTED} FROM articles a
      WHERE a.state = 'live' AND a.section_slug = ?1 AND a.alt_slug = ?2 AND ${SLUG_TAKEN_EARLIER}
  ) ORDER BY published_at, path LIMIT 1`,
  /** ?1 path. */
  get: `SELECT ${META} FROM articles a WHERE a.state = 'live' AND a.path = ?1`,
  /** ?1 path: the live article as a listing shows it (its page slug and section name now). */
  listed: `SELECT ${LISTED} FROM articles a WHERE a.state = 'live' AND a.path = ?1`,
  /** ?1 path. */
  content: `SELECT html, summary FROM articles WHERE state = 'live' AND path = ?1`,
  sections: `SELECT s.section_slug AS slug, SUM(s.articles) AS articles,
      ${sectionName('s.section_slug')} AS name,
      (SELECT a.updated_at FROM articles a WHERE a.state = 'live' AND a.section_slug = s.section_slug
        ORDER BY a.updated_at DESC LIMIT 1) AS updated_at
    FROM spellings s GROUP BY s.section_slug`,
  rejections: `SELECT path, reason FROM rejections`,
  /** ?1 kind, ?2 JSON array of paths: the renditions kept for those paths (one seek each). */
  renditions: `SELECT r.path, r.key, r.markup, r.has_body FROM json_each(?2) AS j
    JOIN renditions r ON r.path = j.value AND r.kind = ?1`,
  scheduledCount: `SELECT COALESCE((SELECT value FROM counts WHERE name = 'scheduled'), 0) AS scheduled`,
  nextDue: `SELECT MIN(published_at) AS due FROM articles WHERE state = 'scheduled'`,
  /**
   * ?1 first day's start (epoch ms), ?2 days: live articles published each day, oldest first,
   * each one count over a range of `articles_all_newest` (no row read, nothing sorted).
   */
  perDay: `WITH RECURSIVE days(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM days WHERE i + 1 < ?2)
    SELECT (SELECT COUNT(*) FROM articles a WHERE a.state = 'live'
      AND a.published_at >= ?1 + i * 86400000 AND a.published_at < ?1 + (i + 1) * 86400000) AS articles
    FROM days ORDER BY i`,
  /** ?1 section; no row for a section that never changed. */
  sectionRevision: `SELECT revision, changed_at FROM revisions WHERE section_slug = ?1`,
  latestRevision: `SELECT revision, changed_at FROM revisions ORDER BY revision DESC LIMIT 1`,
} as const;
