// Every SQL statement the D1 store and publisher send on a request path, checked with
// EXPLAIN QUERY PLAN against real D1 inside workerd. The statements are not listed by hand:
// a binding that records what is prepared watches the driver contract suite and a run of the
// Worker entry through every route (feeds, deep pages, article, section, tag and author pages,
// /status, OPML lists, the publish API with its id and slug rules, waiting room and schedule),
// then each statement and each trigger body is explained and held to the rules below.
//
// The rules (README.md, "D1 sizing"):
// - No `SCAN` of a table, with or without an index, except the tables whose size is bounded by
//   something other than the number of articles: one batch's scratch rows (`put_*`), the page of
//   rowids a query already found (`page_rows`), the /status chart's days (`days`, a recursive
//   CTE of 30 rows), a listing's buckets and the one a page starts in (`per_bucket`, `start`:
//   one row per 18.6 hours with articles, and the window function's co-routine over them), a
//   caller's list of paths (`json_each`), a constant VALUES list, one row
//   per section spelling (`spellings`), the newest revision (one index entry, LIMIT 1). And the
//   statements whose answer is the whole table: the rejections /status lists, and the publish
//   API's listing of every file (`files`, read in path order).
// - Every `SEARCH` uses an index or a primary key.
// - No temporary B-tree (ORDER BY, GROUP BY, DISTINCT) over articles, terms, files or
//   renditions: a sort there costs as many rows as the range holds, however small the page.
//   Allowed over the small tables above, over the page a listing already found, and over the due scheduled articles (at most the
//   few whose time came since the last read; each read publishes them).
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import { afterAll, describe, expect, it } from 'vitest';
import { QUERIES } from '../../src/workers/d1-queries.ts';
import { createD1Store } from '../../src/workers/d1-store.ts';
import { COMMIT, KEEP_RENDITION, PUBLISH_STAGED, SETTLE_PASS } from '../../src/workers/d1-write-sql.ts';
import worker from '../../src/workers/index.ts';
import { runDriverContract } from '../store/driver-contract.ts';
import { emptyDatabase } from './d1.ts';

/** Each statement prepared, with the values it was first bound with. */
const recorded = new Map<string, unknown[]>();

/** A binding that records every SQL statement prepared through it. */
function recording(db: D1Database): D1Database {
  const prepare = (sql: string): D1PreparedStatement => {
    const statement = db.prepare(sql);
    if (!recorded.has(sql)) recorded.set(sql, []);
    const bind = statement.bind.bind(statement);
    return Object.assign(Object.create(statement) as D1PreparedStatement, {
      bind: (...values: unknown[]) => {
        if (recorded.get(sql)!.length === 0) recorded.set(sql, values);
        return bind(...values);
      },
    });
  };
  return { prepare, batch: (statements: D1PreparedStatement[]) => db.batch(statements), exec: db.exec.bind(db) } as unknown as D1Database;
}

runDriverContract('d1, statements recorded', async ({ now }) => createD1Store(recording(await emptyDatabase()), { now }));

const TOKEN = 'plans-token-0123456789abcdef';
const ORIGIN = 'https://feeds.example.com';

function article(title: string, front = '', date = '2025-02-01T09:00:00Z'): string {
  return `---\ntitle: ${title}\ndate: ${date}\ntags: [World, Launch]\nauthor: Ada Reporter\n${front}---\n\nThe body of ${title}.\n`;
}

describe('the Worker entry, statements recorded', () => {
  it('answers every route over a recorded binding', async () => {
    await emptyDatabase();
    const bindings = { DB: recording(env.DB), PUBLISH_TOKEN: TOKEN };
    const call = async (path: string, init?: RequestInit): Promise<Response> => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(`${ORIGIN}${path}`, init) as never, bindings as never, ctx);
      await waitOnExecutionContext(ctx);
      return response as unknown as Response;
    };
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const put = (path: string, body: string) => call(`/api/articles/${path}`, { method: 'PUT', headers: auth, body });

    for (let i = 0; i < 25; i++) expect((await put(`news/story-${i}.md`, article(`Story ${i}`))).status).toBeLessThan(300);
    // Same slug in another folder, an id taken (waiting room), a future date, a broken file.
    expect((await put('news/more/story-1.md', article('Story 1 again'))).status).toBeLessThan(300);
    expect((await put('news/owner.md', article('Owner', 'id: urn:example:shared\n'))).status).toBeLessThan(300);
    expect((await put('news/copy.md', article('Copy', 'id: urn:example:shared\n'))).status).toBeLessThan(300);
    expect((await put('sport/later.md', article('Later', '', '2090-01-01T00:00:00Z'))).status).toBeLessThan(300);
    expect((await put('news/broken.md', '---\ntitle: [\n---\n')).status).toBe(422);
    expect((await put('news/story-0.md', article('Story 0 edited'))).status).toBeLessThan(300);
    expect((await call('/api/articles/news/story-2.md', { method: 'DELETE', headers: auth })).status).toBeLessThan(300);
    const status = (await (await call('/status')).json()) as { rejected: { path: string }[]; scheduled: number };
    expect(status.rejected.map(({ path }) => path).sort()).toEqual(['news/copy.md']);
    expect(status.scheduled).toBe(1);
    // The owner goes: the waiting copy takes its id.
    expect((await call('/api/articles/news/owner.md', { method: 'DELETE', headers: auth })).status).toBeLessThan(300);
    expect((await call('/api/articles', { headers: auth })).status).toBe(200);
    expect((await call('/api/articles?limit=5&after=news%2Fstory-1.md', { headers: auth })).status).toBe(200);
    // The batch endpoint's statements too: new, edited, unchanged and deleted files in one request.
    const lines = [
      { path: 'bulk/a.md', text: article('Bulk A') },
      { path: 'bulk/b.md', text: article('Bulk B') },
      { path: 'news/story-3.md', text: article('Story 3 edited in bulk') },
      { path: 'news/story-4.md', text: article('Story 4') },
      { path: 'news/story-5.md', delete: true },
    ];
    const bulk = await call('/api/articles', {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/x-ndjson' },
      body: lines.map((line) => `${JSON.stringify({ mtime: '2025-02-01T09:00:00Z', ...line })}\n`).join(''),
    });
    expect(bulk.status).toBe(200);

    const pages = [
      '/', '/status', '/rss.xml', '/atom.xml', '/feed.json', '/news/rss.xml', '/news/atom.xml', '/news/feed.json',
      '/news/', '/news/?page=2', '/news/story-3', '/news/story-1-', '/tags/', '/tags/world/', '/tags/world/rss.xml',
      '/authors/', '/authors/ada-reporter/', '/authors/ada-reporter/feed.json', '/feeds.opml', '/all.opml', '/tags.opml',
      '/authors.opml',
    ];
    for (const path of pages) {
      const response = await call(path, path === '/status' ? { headers: { Accept: 'text/html' } } : undefined);
      expect(response.status, path).toBeLessThan(500);
      await response.arrayBuffer();
    }
    expect(recorded.size).toBeGreaterThan(40);
  });
});

interface PlanLine {
  id: number;
  parent: number;
  detail: string;
}

/** The statements inside every trigger, with `new.x` and `old.x` made parameters. */
async function triggerStatements(db: D1Database): Promise<string[]> {
  const { results } = await db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`).all<{ name: string; sql: string }>();
  return results.flatMap(({ sql }) => {
    const body = sql.slice(sql.search(/\bBEGIN\b/) + 5, sql.lastIndexOf('END'));
    return body
      .split(/;\s*\n/)
      .map((statement) => statement.trim().replace(/;$/, ''))
      .filter((statement) => statement !== '' && !/^SELECT RAISE/.test(statement))
      .map((statement) => statement.replace(/\b(new|old)\.(\w+)/g, '?'));
  });
}

/** Scans allowed, by the rules at the top of this file. */
const SMALL_SCAN = /^SCAN (put_\w+|page_rows|days|per_bucket|start|CONSTANT ROW|\d+-ROW VALUES CLAUSE|spellings|s USING (COVERING )?INDEX sqlite_autoindex_spellings_1|revisions USING (COVERING )?INDEX revisions_latest|\w+ VIRTUAL TABLE INDEX \d+:.*)$/;
/** Statements whose answer is a whole table, and the scan each may make. */
const WHOLE_ANSWERS = new Map<RegExp, RegExp>([
  [/^SELECT path, reason FROM rejections$/, /^SCAN rejections$/],
  [/^SELECT path, sha256, size, mtime FROM files ORDER BY path/, /^SCAN files USING INDEX sqlite_autoindex_files_1$/],
]);
/** Tables that grow with the articles: no temporary B-tree beside a read of one. */
const BIG_TABLES = new Set(['articles', 'article_terms', 'files', 'renditions']);

/** The table each alias in `sql` names (`articles a`, `put_incoming AS i`), and each table itself. */
function aliases(sql: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, table, alias] of sql.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?/gi)) {
    names.set(table!, table!);
    if (alias && !/^(WHERE|ON|SET|SELECT|VALUES|LEFT|JOIN|GROUP|ORDER|LIMIT|USING|WHEN|AND|OR)$/i.test(alias)) names.set(alias, table!);
  }
  return names;
}

function problems(sql: string, plan: PlanLine[]): string[] {
  const whole = [...WHOLE_ANSWERS].find(([statement]) => statement.test(sql.trim()))?.[1];
  const tables = aliases(sql);
  const tableOf = (detail: string) => {
    const name = /^(?:SCAN|SEARCH) (\w+)/.exec(detail)?.[1] ?? '';
    return tables.get(name) ?? name;
  };
  const found: string[] = [];
  for (const line of plan) {
    const { detail } = line;
    const table = tableOf(detail);
    // The window over a listing's buckets reads them through a co-routine of its own.
    const windowed = /^SCAN \(subquery-\d+\)$/.test(detail) && sql.includes('FROM listing_buckets WHERE scope =');
    if (detail.startsWith('SCAN') && !SMALL_SCAN.test(detail) && !/^put_/.test(table) && !whole?.test(detail) && !windowed) found.push(detail);
    if (detail.startsWith('SEARCH') && !/ INDEX | PRIMARY KEY /.test(detail)) found.push(detail);
    if (detail.startsWith('USE TEMP B-TREE') && !/state = 'scheduled' AND published_at <= \?1/.test(sql)) {
      // The rows sorted are those its siblings in the plan read.
      const sorted = plan.filter((other) => other.parent === line.parent && /^(SCAN|SEARCH) /.test(other.detail)).map((other) => tableOf(other.detail));
      // Beside the page of rowids already found, it sorts that page: at most `limit` rows.
      if (sorted.includes('page_rows')) continue;
      if (sorted.length === 0 || sorted.some((name) => BIG_TABLES.has(name))) found.push(`${detail} (of ${sorted.join(', ') || 'what?'})`);
    }
  }
  return found;
}

describe('query plans', () => {
  afterAll(() => recorded.clear());

  it('seeks through indexes for every statement recorded and every trigger', async () => {
    const db = await emptyDatabase();
    const statements = [...recorded].filter(([sql]) => !/^\s*(CREATE|PRAGMA|ALTER|DROP|EXPLAIN)\b/i.test(sql) && !sql.includes('sqlite_master'));
    const triggers = await triggerStatements(db);
    // The run above reached the reads and writes of every kind: a check over nothing proves nothing.
    for (const part of ['WITH RECURSIVE days', 'FROM article_terms', 'INSERT INTO put_incoming', 'put_settle', 'FROM files', 'renditions', 'scheduled']) {
      expect(statements.some(([sql]) => sql.includes(part)), part).toBe(true);
    }
    expect(triggers.length).toBeGreaterThan(10);
    // Every statement the store's and publisher's SQL modules define was among them, so none
    // of those goes unexplained because no route happened to send it.
    const defined = [...Object.values(QUERIES), ...PUBLISH_STAGED, ...SETTLE_PASS, ...COMMIT, KEEP_RENDITION];
    expect(defined.filter((sql) => !recorded.has(sql))).toEqual([]);
    const found: Record<string, string[]> = {};
    for (const [sql, values] of [...statements, ...triggers.map((sql) => [sql, []] as const)]) {
      const count = Math.max(values.length, 0, ...[...sql.matchAll(/\?(\d+)/g)].map((match) => Number(match[1])), (sql.match(/\?(?!\d)/g) ?? []).length);
      const bound = Array.from({ length: count }, (_, i) => values[i] ?? 1);
      const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind(...bound).all<PlanLine>();
      const bad = problems(sql, results);
      if (bad.length > 0) found[sql.replace(/\s+/g, ' ').slice(0, 300)] = bad;
    }
    expect(found).toEqual({});
  });

  it('flags a scan of articles, an unindexed search and a sort of a section', async () => {
    const db = await emptyDatabase();
    const explain = async (sql: string) => problems(sql, (await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).bind('news').all<PlanLine>()).results);
    expect(await explain(`SELECT path FROM articles WHERE title = ?1`)).toEqual([expect.stringMatching(/^SCAN articles/)]);
    expect(await explain(`SELECT path FROM rejections WHERE reason = ?1`)).toEqual([expect.stringMatching(/^SCAN rejections/)]);
    expect(await explain(`SELECT path FROM articles WHERE state = 'live' AND section_slug = ?1 ORDER BY title LIMIT 20`)).toEqual([
      expect.stringMatching(/^USE TEMP B-TREE FOR ORDER BY \(of articles\)/),
    ]);
  });
});
