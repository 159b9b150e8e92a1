// The reliability tests' oracle: what a fresh start over a folder serves (every file read once into
// a fresh store, as the start-up scan does, with no watcher and no events), and a comparison of that
// with what a running server serves: its /status, and every feed in every format, all pages.
// Two rules are history, not folder: a file that turns bad keeps its last good version published,
// and dates kept in the server's state may differ from a scan's (model-dates.ts says which may).
import { parseFeed } from 'feedsmith';
import type { Hono } from 'hono';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from '../../src/http/app.ts';
import { isArticlePath } from '../../src/article/parse.ts';
import type { ArticleMeta as Article } from '../../src/article/types.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig, type Env } from '../../src/site/config.ts';
import { createIndexer, type Indexer } from '../../src/node/intake/indexer.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import type { Rejection } from '../../src/store/types.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS } from '../../src/feed/formats.ts';
import type { DateHistory } from './model-dates.ts';

/** Answers a GET for a path like `/status`: `app.request` or `fetch` against a real server. */
export type Requester = (path: string) => Promise<Response>;

/** One feed item as compared: what must not depend on when or in which order files were read. */
export interface ItemView {
  id: string;
  title: string;
  link: string;
  /** JSON Feed only: the item's own dates, which come from the file. */
  dates?: string;
}

/** What a server serves, minus what may legitimately differ (Last-Modified, feed-level updated). */
export interface ServedState {
  status: {
    articles: number;
    sections: { slug: string; name: string; articles: number }[];
    rejected: { path: string; reason: string }[];
    scheduled: number;
  };
  /** `<section>/<file>` (`*` for the combined feeds) -> items, all pages; absent = 404. */
  feeds: Record<string, ItemView[]>;
}

/** Feeds are read this many items per page, the most a URL may ask for. */
export const PAGE_LIMIT = 500;

/** Every article-looking file under `dir` by the watcher's rules (no dot entries), relative, sorted. */
export async function articleFiles(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await articleFiles(dir, path)));
    else if (entry.isFile() && isArticlePath(path)) found.push(path);
  }
  return found.sort();
}

/** A folder as a fresh start sees it: what publishes and what is rejected. */
export interface FolderScan {
  env: Env;
  articles: Article[];
  rejected: Rejection[];
}

/**
 * Reads every article file under `dir` once, as a server started with `env` does at start-up:
 * the indexer (stat, read, parse, store) on each path of an independent walk, no watcher.
 */
export async function scanFolder(dir: string, env: Env): Promise<FolderScan> {
  const store = createMemoryStore();
  const parseOptions = parseOptionsOf(resolveConfig({ ...env, ARTICLES_DIR: dir }));
  const indexer = createIndexer({ dir: await realpath(dir), store, parseOptions, log: () => {} });
  for (const path of await articleFiles(dir)) await indexer.update(path, true);
  const { items } = store.list({ limit: Number.MAX_SAFE_INTEGER });
  return { env, articles: items.map((item) => item.article), rejected: store.status().rejected };
}

/**
 * The good versions each path has had since the server started, recorded after every operation.
 * A file that turns bad keeps its last good version published (FeedStore.reject), and which
 * version that is depends on which ones the watcher happened to read: the oracle takes the one
 * served, provided it is one of these. Each record reads only files whose stat changed.
 */
export class GoodVersions {
  readonly #versions = new Map<string, Map<string, Article>>();
  /** Path -> inode, size and mtime when last read. */
  readonly #seen = new Map<string, string>();
  readonly #store = createMemoryStore();
  #indexer: Indexer | undefined;

  /** Adds what every file under `dir` that changed since the last call parses to now. */
  async record(dir: string, env: Env): Promise<void> {
    const parseOptions = parseOptionsOf(resolveConfig({ ...env, ARTICLES_DIR: dir }));
    this.#indexer ??= createIndexer({ dir: await realpath(dir), store: this.#store, parseOptions, log: () => {} });
    const paths = await articleFiles(dir);
    const present = new Set(paths);
    for (const path of this.#seen.keys()) {
      if (present.has(path)) continue;
      this.#seen.delete(path);
      await this.#indexer.update(path, true);
    }
    for (const path of paths) {
      const info = await stat(join(dir, ...path.split('/'))).catch(() => undefined);
      const signature = info && `${info.ino} ${info.size} ${info.mtimeMs}`;
      if (signature === undefined || this.#seen.get(path) === signature) continue;
      this.#seen.set(path, signature);
      await this.#indexer.update(path, true);
      // A file turned bad keeps its last good version here too: adding it again changes nothing.
      const article = this.#store.get(path);
      if (article) this.#add(article);
    }
  }

  #add(article: Article): void {
    const versions = this.#versions.get(article.path) ?? new Map<string, Article>();
    versions.set(versionKey(article.title, article.publishedAt, article.updatedAt, article.sectionSlug), article);
    this.#versions.set(article.path, versions);
  }

  /**
   * The recorded version of `path` that `served` (a JSON Feed item) shows, if any. With `dates`,
   * a version dated differently matches when `dates` allows the served dates for it (this record's
   * own first-seen times are not the server's); it is returned with the served dates.
   */
  match(path: string, served: ItemView, dates?: DateHistory): Article | undefined {
    const [published, modified] = servedDates(served);
    const section = new URL(served.link).pathname.split('/')[1] ?? '';
    const versions = this.#versions.get(path);
    const exact = versions?.get(versionKey(served.title, published, modified, section));
    if (exact || !dates) return exact;
    for (const version of versions?.values() ?? []) {
      if (version.title !== served.title || version.sectionSlug !== section) continue;
      if (dates.allows(version, published, modified)) return { ...version, publishedAt: published, updatedAt: modified };
    }
    return undefined;
  }

  /** The id of `path` (ids come from the path, so every version shares it), if it ever was good. */
  idOf(path: string): string | undefined {
    return this.#versions.get(path)?.values().next().value?.id;
  }
}

/**
 * The oracle: the app a fresh start over the scanned folder would be. Given `history` and what a
 * server serves, a file that is bad now keeps the last good version served, if it really had it.
 * Given `dates`, an article is put with the dates served for it when `dates` allows them (else
 * with the scan's, so the comparison shows the difference); feeds are then compared in every
 * format, item order (which follows the dates) included.
 */
export function oracleApp(scan: FolderScan, history?: GoodVersions, served?: ServedState, dates?: DateHistory): Hono {
  const store = createMemoryStore();
  const shown = new Map((served?.feeds['*/feed.json'] ?? []).map((item) => [item.id, item]));
  for (const article of scan.articles) {
    const item = shown.get(article.id);
    const [publishedAt, updatedAt] = item ? servedDates(item) : [article.publishedAt, article.updatedAt];
    store.put(dates?.allows(article, publishedAt, updatedAt) ? { ...article, publishedAt, updatedAt } : article);
  }
  for (const { path, reason } of scan.rejected) {
    const id = history?.idOf(path);
    const item = id === undefined ? undefined : shown.get(id);
    const kept = item && history?.match(path, item, dates);
    if (kept) store.put(kept);
    store.reject(path, reason);
  }
  return createApp({ store, ...appSettingsOf(resolveConfig(scan.env)) });
}

/** What a fresh start over `dir` with `env` serves, by the oracle. */
export async function freshScanState(dir: string, env: Env): Promise<ServedState> {
  const app = oracleApp(await scanFolder(dir, env));
  return readServedState((path) => Promise.resolve(app.request(path)));
}

/** Reads /status and every feed (combined and per section, all formats, all pages) through `request`. */
export async function readServedState(request: Requester): Promise<ServedState> {
  const raw = (await json(request, '/status')) as ServedState['status'];
  const status: ServedState['status'] = {
    articles: raw.articles,
    sections: raw.sections.map(({ slug, name, articles }) => ({ slug, name, articles })),
    rejected: raw.rejected.map(({ path, reason }) => ({ path, reason })),
    scheduled: raw.scheduled,
  };
  const feeds: ServedState['feeds'] = {};
  for (const section of [undefined, ...status.sections.map((s) => s.slug)]) {
    for (const format of FEED_FORMATS) {
      const items = await readFeedPages(request, section, FORMAT_DEFINITIONS[format].file);
      if (items) feeds[`${section ?? '*'}/${FORMAT_DEFINITIONS[format].file}`] = items;
    }
  }
  return { status, feeds };
}

/** Differences between two states, one readable line each (at most `max`); empty when equal. */
export function diffStates(expected: ServedState, actual: ServedState, max = 30): string[] {
  const lines: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const key of ['articles', 'scheduled'] as const) {
    if (expected.status[key] !== actual.status[key]) lines.push(`status.${key}: expected ${expected.status[key]}, served ${actual.status[key]}`);
  }
  diffKeyed(lines, 'section', expected.status.sections, actual.status.sections, (s) => s.slug);
  diffKeyed(lines, 'rejected', expected.status.rejected, actual.status.rejected, (r) => r.path);
  const keys = [...new Set([...Object.keys(expected.feeds), ...Object.keys(actual.feeds)])].sort();
  for (const key of keys) {
    const want = expected.feeds[key];
    const got = actual.feeds[key];
    if (want === undefined || got === undefined) {
      lines.push(`feed ${key}: ${want === undefined ? 'served but the oracle has no such feed' : 'missing (404) but the oracle serves it'}`);
    } else if (!same(want, got)) {
      lines.push(`feed ${key}: ${describeItemDiff(want, got)}`);
    }
  }
  return lines.length > max ? [...lines.slice(0, max), `... and ${lines.length - max} more`] : lines;
}

export interface ConvergeOptions {
  dir: string;
  env: Env;
  request: Requester;
  /** The server's settle window: nothing can be final before it has passed since the last change. */
  settleMs: number;
  /** Resolves when the server has nothing in flight, when the test can know (in-process servers). */
  idle?: () => Promise<void>;
  /** Good versions since the server started; without it, only the folder as it is now counts. */
  history?: GoodVersions;
  /** Every mtime each path has had; without it, dates must be a fresh scan's exactly. */
  dates?: DateHistory;
  /** How long the served state may take to reach the oracle's (default 20 s). */
  timeoutMs?: number;
}

/**
 * Waits, after the last change to `dir`, until the served state equals the oracle's and still
 * does one settle window later (so no late event can move it). Resolves with how long that took
 * and the number of reads; on timeout, with the last differences in `diff`.
 */
export async function waitUntilServedMatches(options: ConvergeOptions): Promise<{ ms: number; polls: number; diff: string[] }> {
  const { dir, env, request, settleMs, idle, history, dates, timeoutMs = 20_000 } = options;
  const started = performance.now();
  const scan = await scanFolder(dir, env);
  const compare = async () => {
    await idle?.();
    const served = await readServedState(request);
    const app = oracleApp(scan, history, served, dates);
    return diffStates(await readServedState((path) => Promise.resolve(app.request(path))), served);
  };
  const margin = settleMs + 150;
  await delay(margin);
  let polls = 0;
  for (;;) {
    polls += 1;
    let diff = await compare();
    if (diff.length === 0) {
      await delay(margin);
      diff = await compare();
      if (diff.length === 0) return { ms: Math.round(performance.now() - started), polls, diff };
    }
    if (performance.now() - started > timeoutMs) return { ms: Math.round(performance.now() - started), polls, diff };
    await delay(50);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function json(request: Requester, path: string): Promise<unknown> {
  const response = await request(path);
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Every item of one feed, following pages; undefined when the feed is a 404. */
async function readFeedPages(request: Requester, section: string | undefined, file: string): Promise<ItemView[] | undefined> {
  const items: ItemView[] = [];
  for (let page = 1; ; page++) {
    const path = `${section === undefined ? '' : `/${section}`}/${file}?${page > 1 ? `page=${page}&` : ''}limit=${PAGE_LIMIT}`;
    const response = await request(path);
    if (response.status === 404) {
      await response.body?.cancel();
      return page === 1 ? undefined : items;
    }
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    const found = itemsOf(await response.text());
    items.push(...found);
    if (found.length < PAGE_LIMIT) return items;
  }
}

/** Items of an RSS, Atom or JSON feed document, in document order. */
function itemsOf(body: string): ItemView[] {
  // feedsmith's types differ per format; the three shapes are read field by field here.
  const { format, feed } = parseFeed(body) as { format: string; feed: any };
  if (format === 'json') {
    return (feed.items ?? []).map((i: any) => ({ id: i.id, title: i.title, link: i.url, dates: `${i.date_published} ${i.date_modified}` }));
  }
  if (format === 'atom') {
    return (feed.entries ?? []).map((e: any) => ({
      id: e.id,
      title: typeof e.title === 'string' ? e.title : e.title?.value,
      link: e.links?.find((l: any) => (l.rel ?? 'alternate') === 'alternate')?.href,
    }));
  }
  return (feed.items ?? []).map((i: any) => ({ id: i.guid?.value, title: i.title, link: i.link }));
}

function diffKeyed<T>(lines: string[], what: string, expected: T[], actual: T[], key: (value: T) => string): void {
  const before = lines.length;
  const want = new Map(expected.map((value) => [key(value), value]));
  const got = new Map(actual.map((value) => [key(value), value]));
  for (const [k, value] of want) {
    const other = got.get(k);
    if (other === undefined) lines.push(`${what} ${k}: missing, expected ${JSON.stringify(value)}`);
    else if (JSON.stringify(other) !== JSON.stringify(value)) lines.push(`${what} ${k}: expected ${JSON.stringify(value)}, served ${JSON.stringify(other)}`);
  }
  for (const [k, value] of got) if (!want.has(k)) lines.push(`${what} ${k}: served but not by the oracle: ${JSON.stringify(value)}`);
  if (lines.length === before && JSON.stringify(expected) !== JSON.stringify(actual)) lines.push(`${what}: same entries in a different order`);
}

function describeItemDiff(want: ItemView[], got: ItemView[]): string {
  const wantIds = new Map(want.map((item) => [item.id, item]));
  const gotIds = new Map(got.map((item) => [item.id, item]));
  const missing = want.filter((item) => !gotIds.has(item.id)).map((item) => item.id);
  const extra = got.filter((item) => !wantIds.has(item.id)).map((item) => item.id);
  const changed = want
    .filter((item) => gotIds.has(item.id) && JSON.stringify(gotIds.get(item.id)) !== JSON.stringify(item))
    .map((item) => `${item.id} expected ${JSON.stringify(item)} served ${JSON.stringify(gotIds.get(item.id))}`);
  const parts = [
    missing.length ? `missing ${missing.join(', ')}` : '',
    extra.length ? `extra ${extra.join(', ')}` : '',
    changed.length ? `changed ${changed.slice(0, 3).join('; ')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : `same items in a different order (${want.length} items)`;
}

/** A JSON Feed item's published and modified dates (Invalid Dates when absent). */
function servedDates(item: ItemView): [Date, Date] {
  const [published = '', modified = ''] = (item.dates ?? '').split(' ');
  return [new Date(published), new Date(modified)];
}

function versionKey(title: string, published: Date, updated: Date, section: string): string {
  return JSON.stringify([title, published.toISOString(), updated.toISOString(), section]);
}
