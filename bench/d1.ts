// D1 at a million rows: `npm run dev:worker` (workerd over a local D1) serving a database loaded
// with N articles (default 1,000,000) in ten sections, timed on a section feed, page 1,000 of a
// section, article pages and /status.
//
// Loading: one HTTP request per article would take hours (issue 13), so the rows go straight into
// the local D1's SQLite file with the sqlite3 command (Debian `sqlite3`), wrangler stopped: the
// Worker first makes the database and its schema (one /status request), then every row is built
// by the store's own row builder (d1-rows.ts `versioned` and `articleValues`, the values a PUT
// binds) and sent as multi-row INSERTs in one transaction, so the schema's triggers keep the
// section spellings, tags and authors, and counts as a write would; a `files` row per article as
// the publisher records it; then one revision for every listing, as a write's COMMIT makes.
// No renditions: feeds render their items on demand, as for an article uploaded without a site.
// The state goes in a temporary folder (D1_BENCH_DIR, default the system's), deleted after the
// run unless D1_BENCH_KEEP is set.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Article } from '../src/article/types.ts';
import { articleValues, versioned } from '../src/workers/d1-rows.ts';
import { ARTICLE_COLUMNS } from '../src/workers/schema.ts';
import { startWorker } from './worker.ts';
import { COMMIT } from '../src/workers/d1-write-sql.ts';
import {
  captureOutput,
  fmt,
  freePort,
  httpGet,
  loadAverage,
  markdownTable,
  percentile,
  progress,
  spawnGroup,
  stopGroup,
  waitFor200,
  type Section,
} from './lib.ts';

const GOAL_MS = 50;
const SECTIONS = 10;
/** SECTION_PAGE_SIZE in src/http/app.ts: page 1,000 starts at article 99,901 of its section. */
const DEEP_PAGE = 1000;
const TAGS = ['Politics', 'Economy', 'Climate', 'Health', 'Science', 'Courts', 'Elections', 'Energy', 'Housing', 'Transport', 'Schools', 'Trade'];
const AUTHORS = ['Ada Reporter', 'Grace Desk', 'Linus Wire', 'Mary Field', 'Alan Staff', 'Rosa Byline'];
const FIRST = Date.UTC(2023, 0, 1);
const STEP_MS = 90_000;

export interface D1BenchOptions {
  /** Articles loaded (default 1,000,000). */
  rows: number;
  /** Timed requests per route (default 300), after 20 untimed. */
  requests: number;
}

/** Article `i` as the parser would give it: section `section-{i mod 10}`, a body of about 1 KB. */
function articleAt(i: number): Article {
  const section = i % SECTIONS;
  const path = `section-${section}/${2023 + Math.floor(i / 400_000)}/story-${i}.md`;
  const publishedAt = new Date(FIRST + i * STEP_MS);
  const sentence = `Paragraph text of story ${i}, long enough to look like a news article's body in a feed. `;
  return {
    path,
    id: `tag:bench.example.com,2023:${path}`,
    slug: `story-${i}`,
    section: `Section ${section}`,
    sectionSlug: `section-${section}`,
    title: `Story ${i}: a headline of ordinary length for section ${section}`,
    summary: `The summary of story ${i}, one sentence a reader sees in a listing before the body.`,
    html: Array.from({ length: 4 }, (_, p) => `<p>${sentence.repeat(2)}(${p + 1})</p>`).join('\n'),
    authors: [{ name: AUTHORS[i % AUTHORS.length]! }],
    tags: [TAGS[i % TAGS.length]!, TAGS[(i * 7 + 3) % TAGS.length]!].filter((tag, k, all) => all.indexOf(tag) === k),
    publishedAt,
    updatedAt: publishedAt,
    draft: false,
    format: 'md',
  };
}

const sqlValue = (value: unknown): string =>
  value === null || value === undefined ? 'NULL' : typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;

/** Writes N articles (and their file records) into the SQLite file at `file` through the sqlite3 command. */
async function loadRows(file: string, rows: number): Promise<void> {
  const sqlite = spawn('sqlite3', ['-bail', file], { stdio: ['pipe', 'inherit', 'inherit'] });
  const write = async (text: string) => {
    if (!sqlite.stdin.write(text)) await once(sqlite.stdin, 'drain');
  };
  await write(`PRAGMA cache_size = -400000;\nPRAGMA synchronous = OFF;\nBEGIN;\n`);
  const chunk = 500;
  for (let start = 0; start < rows; start += chunk) {
    const articles = await Promise.all(Array.from({ length: Math.min(chunk, rows - start) }, (_, k) => versioned(articleAt(start + k))));
    const values = articles.map((staged) => `('live', ${articleValues(staged).map(sqlValue).join(', ')})`);
    await write(`INSERT INTO articles (state, ${ARTICLE_COLUMNS.join(', ')}) VALUES\n${values.join(',\n')};\n`);
    const files = articles.map(({ article, version }) => {
      const time = article.publishedAt.getTime();
      return `(${sqlValue(article.path)}, '${version}', ${article.html.length + 200}, '${article.publishedAt.toISOString()}', ${time}, NULL)`;
    });
    await write(`INSERT INTO files (path, sha256, size, mtime, first_seen_at, changed_at) VALUES\n${files.join(',\n')};\n`);
    if ((start / chunk) % 200 === 0) progress(`d1 bench: ${start.toLocaleString('en')} rows written`);
  }
  await write(`${COMMIT[0]!.replace('?1', String(Date.now()))};\n${COMMIT[1]};\nCOMMIT;\n`);
  sqlite.stdin.end();
  const [code] = (await once(sqlite, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`sqlite3 exited with ${code}`);
}

/** The one D1 SQLite file under `persist` (miniflare keeps a local D1 as a Durable Object's database). */
async function sqliteFile(persist: string): Promise<string> {
  const dir = join(persist, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = (await readdir(dir)).filter((name) => /^[0-9a-f]{64}\.sqlite$/.test(name));
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(', ') || 'none'}`);
  return join(dir, files[0]!);
}

/** Wall ms of each GET of `url(i)` for i in 0…count-1 (after `warmup` untimed ones), with the status checked. */
async function timeRequests(url: (i: number) => string, count: number, warmup = 20): Promise<number[]> {
  const times: number[] = [];
  for (let i = -warmup; i < count; i++) {
    const started = performance.now();
    const answer = await httpGet(url(i + warmup), { 'accept-encoding': 'identity' }, 30_000);
    const ms = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${url(i + warmup)}: ${answer.status} ${answer.body.toString().slice(0, 200)}`);
    if (i >= 0) times.push(ms);
  }
  return times;
}

export async function runD1Bench(options: D1BenchOptions): Promise<Section> {
  const persist = await mkdtemp(join(process.env.D1_BENCH_DIR ?? tmpdir(), 'wirefeed-d1-bench-'));
  try {
    progress(`d1 bench: making the local D1 in ${persist}`);
    const first = await startWorker(persist, '');
    await httpGet(`${first.base}/status`, { accept: 'application/json' }, 30_000);
    await first.stop();
    const file = await sqliteFile(persist);
    const loadStarted = performance.now();
    await loadRows(file, options.rows);
    const loadMs = performance.now() - loadStarted;
    const bytes = (await stat(file)).size;
    progress(`d1 bench: ${options.rows.toLocaleString('en')} rows loaded in ${fmt(loadMs / 1000)} s, ${fmt(bytes / 2 ** 20)} MiB`);

    const worker = await startWorker(persist, '');
    try {
      const status = JSON.parse((await httpGet(`${worker.base}/status`, { accept: 'application/json' }, 120_000)).body.toString()) as { articles: number };
      if (status.articles !== options.rows) throw new Error(`/status lists ${status.articles} articles, not ${options.rows}`);
      const load = loadAverage();
      const perSection = Math.ceil(options.rows / SECTIONS);
      const deepPage = Math.min(DEEP_PAGE, Math.ceil(perSection / 100));
      // Articles of section-0 spread over the whole archive, a different one per request.
      const articleOf = (i: number) => ((i * 7919) % perSection) * SECTIONS;
      const formats = ['rss.xml', 'atom.xml', 'feed.json'];
      const results: { name: string; times: number[] }[] = [];
      // Each section's feeds once: nothing rendered or cached yet, the page of items read and rendered.
      progress('d1 bench: first request of each feed');
      // The combined feed first, untimed: the isolate compiles and warms the renderers on it.
      await timeRequests(() => `${worker.base}/rss.xml`, 0, 1);
      results.push({
        name: `section feed, first request (each of ${SECTIONS} sections × 3 formats once)`,
        times: await timeRequests((i) => `${worker.base}/section-${i % SECTIONS}/${formats[Math.floor(i / SECTIONS)]}`, SECTIONS * 3, 0),
      });
      const routes: [string, (i: number) => string][] = [
        ['section feed, again (`/section-0/rss.xml`)', () => `${worker.base}/section-0/rss.xml`],
        [`page ${deepPage.toLocaleString('en')} of a section (\`/section-0/?page=${deepPage}\`)`, () => `${worker.base}/section-0/?page=${deepPage}`],
        ['article page (a different one each time)', (i) => `${worker.base}/section-0/story-${articleOf(i)}`],
        ['`/status` (JSON)', () => `${worker.base}/status`],
      ];
      for (const [name, url] of routes) {
        progress(`d1 bench: ${name}`);
        results.push({ name, times: await timeRequests(url, options.requests) });
      }
      const goals = results.map(({ name, times }) => {
        const p99 = percentile(times, 99);
        return { name: `D1 ${options.rows.toLocaleString('en')} rows: ${name} p99`, target: `< ${GOAL_MS} ms`, measured: `${fmt(p99, 1)} ms`, met: p99 < GOAL_MS };
      });
      const table = markdownTable(
        ['request', 'p50 (ms)', 'p99 (ms)', 'max (ms)', `goal p99 < ${GOAL_MS} ms`],
        results.map(({ name, times }, i) => [name, fmt(percentile(times, 50), 1), fmt(percentile(times, 99), 1), fmt(Math.max(...times), 1), goals[i]!.met ? 'met' : 'not met']),
      );
      return {
        markdown: [
          `## D1 at ${options.rows.toLocaleString('en')} rows (workerd, local D1)`,
          '',
          `\`npm run dev:worker\` over a local D1 holding ${options.rows.toLocaleString('en')} live articles in ${SECTIONS} sections ` +
            `(${perSection.toLocaleString('en')} each, two tags and one author each), loaded with the store's row builder straight into ` +
            `the SQLite file (bench/d1.ts) in ${fmt(loadMs / 1000)} s; the file is ${fmt(bytes / 2 ** 20)} MiB ` +
            `(${fmt(bytes / options.rows)} bytes per article with its file record, terms and indexes; bodies about 1 KB). ` +
            `${options.requests} sequential GETs per request over loopback after 20 untimed, wall time as the client sees it. ` +
            `Load average (1 / 5 / 15 min) when timing began: ${load}.`,
          '',
          table,
          '',
        ].join('\n'),
        goals,
      };
    } finally {
      await worker.stop();
    }
  } finally {
    if (process.env.D1_BENCH_KEEP) progress(`d1 bench: kept ${persist} (D1_BENCH_KEEP)`);
    else await rm(persist, { recursive: true, force: true });
  }
}
