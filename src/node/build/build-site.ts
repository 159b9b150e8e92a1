// `wirefeed build`: index the articles folder once, ask the app for every public URL and write
// each answer where a static host serves it at the same URL: the bytes the server would send for
// the same files and settings. The file layout is in static-paths.ts, the folder swap in
// output.ts.
import type { Hono } from 'hono';
import { realpath, stat } from 'node:fs/promises';
import { createApp } from '../../http/app.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig, type Env } from '../../site/config.ts';
import { ConfigError } from '../../errors.ts';
import { feedQueryString } from '../../http/feed-query.ts';
import type { FeedStore, Rejection } from '../../store/types.ts';
import { TERM_KINDS } from '../../store/terms.ts';
import { OPML_FILES, TERM_FOLDERS, articlePath, basePathOf, feedPath, mediaPath, pagePath, termFeedPath, termPath } from '../../site/url-scheme.ts';
import { FEED_FORMATS } from '../../feed/formats.ts';
import { BUILD_MARKER, openBuildOutput, type BuildOutput } from './output.ts';
import { scanOnce } from '../intake/intake.ts';
import { createFileStore } from '../file-store.ts';
import { createFolderMediaSource, listMediaFiles } from '../media-files.ts';
import { exportFile, headerPattern } from './static-paths.ts';
import { runLimited } from '../run-limited.ts';

export interface BuildOptions {
  /** The articles folder; wins over `env.ARTICLES_DIR`. */
  dir: string;
  /** The output folder. A build replaces everything in it except entries starting with a dot. */
  out: string;
  /** The same settings `serve` takes; BASE_URL is required, since every link is absolute. */
  env: Env;
  log?: (line: string) => void;
}

export type ExportKind = 'home' | 'section' | 'article' | 'feed' | 'opml' | 'stylesheet' | 'status' | 'host' | 'media';

export interface BuildSummary {
  /** Absolute, real path of the output folder. */
  out: string;
  articles: number;
  sections: number;
  rejected: Rejection[];
  /** Articles dated after the build started: not exported; build again once they are due. */
  scheduled: number;
  nextScheduledAt: Date | null;
  /** Files written, by kind (`host`: `_headers` and `404.html`). */
  files: Record<ExportKind, number>;
  /** Feed and section pages past page 1, written as `…/page.N/…` (see README: Static export). */
  laterPages: number;
  /** URLs the server answers that the export cannot hold, with the reason. */
  skipped: { url: string; reason: string }[];
  bytes: number;
  ms: number;
}

// The headers of the server's feed, OPML and stylesheet answers a static host would not guess
// from the extension. Validators (ETag, Last-Modified) and Vary are the host's own business.
const KEPT_HEADERS = ['Content-Type', 'Cache-Control', 'Access-Control-Allow-Origin'];
const KINDS_WITH_HEADERS = new Set<ExportKind>(['feed', 'opml', 'stylesheet']);
const ARTICLE_CHUNK = 1000;
const CONCURRENCY = 16;

/**
 * Builds the static site for the articles in `dir` into `out`.
 * @example
 * const summary = await buildSite({ dir: './articles', out: './public', env: { BASE_URL: 'https://news.example.com' } });
 */
export async function buildSite({ dir, out, env, log = console.log }: BuildOptions): Promise<BuildSummary> {
  const started = performance.now();
  if (!env.BASE_URL?.trim()) {
    throw new ConfigError('BASE_URL is required for a static build, since every link in the pages and feeds is absolute: set it to the URL the site will be served at, e.g. https://news.example.com');
  }
  const config = resolveConfig({ ...env, ARTICLES_DIR: dir });
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw new ConfigError(`"${dir}" is not a folder: point the build at your articles`);
  const articlesDir = await realpath(dir);
  const output = await openBuildOutput(out, articlesDir);

  // One clock for the whole build: an article falling due half-way must not split the export.
  const now = new Date();
  const parseOptions = parseOptionsOf(config);
  // Bodies are read from the files as each page and feed is written, never all held at once.
  const store = createFileStore({ dir: articlesDir, parseOptions, now: () => now });
  // The options serve.ts passes, less the compressors: files are written uncompressed.
  const app = createApp({
    store,
    ...appSettingsOf(config),
    media: createFolderMediaSource(articlesDir, config.mediaMaxBytes),
    now: () => now.getTime(),
  });
  const exporter = createExporter(app, basePathOf(config.site), output, log);
  try {
    await scanOnce({ dir: articlesDir, store, parseOptions, stateDir: config.stateDir, threads: config.scanThreads, log: (line) => log(`[build] ${line}`) });
    await exportEverything(exporter, store, config.feedLimit);
    await exportMedia(exporter, articlesDir);
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }

  const status = await store.status();
  const summary: BuildSummary = {
    out: output.dir,
    articles: status.articles,
    sections: status.sections.length,
    rejected: status.rejected,
    scheduled: status.scheduled,
    nextScheduledAt: await store.nextScheduledAt(),
    ...exporter.totals(),
    ms: Math.round(performance.now() - started),
  };
  report(summary, log);
  return summary;
}

/** Every public URL, in an order that lets a section page win over an article wanting its file. */
async function exportEverything(exporter: Exporter, store: FeedStore, feedLimit: number): Promise<void> {
  const feedQuery = (page: number) => feedQueryString(page, feedLimit, false);
  await exporter.one('/', 'home');
  for (const format of FEED_FORMATS) await exporter.paged(feedPath(format), 'feed', feedQuery);
  for (const opml of Object.values(OPML_FILES)) await exporter.one(opml, 'opml');
  await exporter.one('/feed.css', 'stylesheet');
  // `/status` is content-negotiated; a static host cannot be, so the JSON goes to `/status.json`.
  await exporter.one('/status', 'status', 'status.json', { Accept: 'application/json' });
  // Tags and authors: their listings win over a section's page at the same URL, as on the server.
  for (const kind of TERM_KINDS) {
    await exporter.one(termPath(kind), 'section');
    for (const { slug } of await store.listTerms(kind)) {
      await exporter.paged(termPath(kind, slug), 'section', (page) => `?page=${page}`);
      for (const format of FEED_FORMATS) await exporter.paged(termFeedPath(format, kind, slug), 'feed', feedQuery);
    }
  }
  const termFolders = new Set(Object.values(TERM_FOLDERS));
  const sections = await store.listSections();
  for (const { slug } of sections) {
    if (!termFolders.has(slug)) await exporter.paged(pagePath(slug), 'section', (page) => `?page=${page}`);
    for (const format of FEED_FORMATS) await exporter.paged(feedPath(format, slug), 'feed', feedQuery);
  }
  for (const { slug } of sections) {
    for (let offset = 0; ; offset += ARTICLE_CHUNK) {
      const { items } = await store.list({ section: slug, limit: ARTICLE_CHUNK, offset });
      await runLimited(items, CONCURRENCY, (item) => exporter.one(articlePath(slug, item.slug), 'article'));
      if (items.length < ARTICLE_CHUNK) break;
    }
  }
  await exporter.notFoundPage();
  await exporter.headersFile();
}

/**
 * Every media file, as the server answers it (so the same allow-list, size cap and symlink rule
 * apply), at its own path. One the server does not serve is skipped with the reason.
 */
async function exportMedia(exporter: Exporter, articlesDir: string): Promise<void> {
  const paths = await listMediaFiles(articlesDir);
  await runLimited(paths, CONCURRENCY, (path) => exporter.media(mediaPath(path), path));
}

type Exporter = ReturnType<typeof createExporter>;

/**
 * `basePath` (BASE_URL's path, e.g. `/news`) goes in front of every URL the app is asked for, as
 * a proxy passing the prefix through would send it: the one form the app never misreads (a
 * section named like the prefix; README, Proxies and sub-paths). Files are written without it.
 */
function createExporter(app: Hono, basePath: string, output: BuildOutput, log: (line: string) => void) {
  const files: Record<ExportKind, number> = { home: 0, section: 0, article: 0, feed: 0, opml: 0, stylesheet: 0, status: 0, host: 0, media: 0 };
  const written = new Set<string>();
  const rules = new Map<string, string>();
  const skipped: BuildSummary['skipped'] = [];
  let bytes = 0;
  let laterPages = 0;

  async function save(url: string, file: string, kind: ExportKind, response: Response, expected = 200): Promise<void> {
    if (response.status !== expected) throw new Error(`[build] GET ${url} answered ${response.status}, not ${expected}`);
    if (written.has(file)) {
      // e.g. an article file called `index.md`: `/politics/index` would need `politics/index.html`,
      // which is the section page (hosts serve both URLs from that one file).
      const reason = `its file ${file} is already the page of another URL: rename the article`;
      skipped.push({ url, reason });
      log(`[build] skipped ${url}: ${reason}`);
      return;
    }
    written.add(file);
    const body = new Uint8Array(await response.arrayBuffer());
    await output.write(file, body);
    files[kind] += 1;
    bytes += body.byteLength;
    if (KINDS_WITH_HEADERS.has(kind)) addRule(file, response.headers);
  }

  function addRule(file: string, headers: Headers): void {
    const pattern = headerPattern(file);
    const block = KEPT_HEADERS.flatMap((name) => {
      const value = headers.get(name);
      return value === null ? [] : [`  ${name}: ${value}`];
    }).join('\n');
    const existing = rules.get(pattern);
    // Overlapping rules would merge their values on the host: one pattern, one set of headers.
    if (existing !== undefined && existing !== block) throw new Error(`[build] ${file} needs other headers than the rest of ${pattern}`);
    rules.set(pattern, block);
  }

  return {
    async one(path: string, kind: ExportKind, file = exportFile(path), headers?: Record<string, string>): Promise<void> {
      await save(path, file, kind, await app.request(`${basePath}${path}`, { headers }));
    },
    /** A media file: written at its path inside the articles folder, or skipped when the server would not serve it. */
    async media(url: string, path: string): Promise<void> {
      const response = await app.request(url);
      if (response.status !== 200) {
        const reason = `the server answers ${response.status} (${(await response.text()).slice(0, 80)})`;
        skipped.push({ url, reason });
        log(`[build] skipped ${url}: ${reason}`);
        return;
      }
      await save(url, path, 'media', response);
    },
    /** Page 1 at `path`, then `path + query(N)` for N = 2, 3, … until the app answers 404. */
    async paged(path: string, kind: ExportKind, query: (page: number) => string): Promise<void> {
      for (let page = 1; ; page += 1) {
        const url = page === 1 ? path : `${path}${query(page)}`;
        const response = await app.request(`${basePath}${url}`);
        if (page > 1 && response.status === 404) return;
        await save(url, exportFile(path, page), kind, response);
        if (page > 1) laterPages += 1;
      }
    },
    /** `404.html`, which Cloudflare Pages, Netlify and GitHub Pages answer unknown URLs with. */
    async notFoundPage(): Promise<void> {
      const url = '/wirefeed-build/no/such/page';
      await save(url, '404.html', 'host', await app.request(`${basePath}${url}`), 404);
    },
    async headersFile(): Promise<void> {
      const text = [
        `${BUILD_MARKER}: the headers the wirefeed server sends with these files,`,
        '# in the _headers format of Cloudflare Pages and Netlify. The host adds its own ETag and Last-Modified.',
        ...[...rules].map(([pattern, block]) => `\n${pattern}\n${block}`),
        '',
      ].join('\n');
      await output.write('_headers', text);
      files.host += 1;
      bytes += new TextEncoder().encode(text).byteLength;
    },
    totals: () => ({ files: { ...files }, laterPages, skipped: [...skipped], bytes }),
  };
}

function report(summary: BuildSummary, log: (line: string) => void): void {
  const count = Object.values(summary.files).reduce((sum, n) => sum + n, 0);
  log(
    `[build] ${summary.articles} articles in ${summary.sections} sections (${summary.rejected.length} rejected): ${count} files, ${Math.round(summary.bytes / 1024)} KiB in ${summary.out} in ${summary.ms} ms`,
  );
  if (summary.laterPages > 0) {
    log(`[build] ${summary.laterPages} feed and section pages past page 1 are in page.N/ folders: a static host answers ?page=N with page 1 unless it rewrites the query (see README, Static export)`);
  }
  if (summary.nextScheduledAt) {
    log(`[build] ${summary.scheduled} scheduled articles are not in this build; the next is due ${summary.nextScheduledAt.toISOString()}: build again then`);
  }
}
