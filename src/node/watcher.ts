// Keeps the store equal to the articles folder: a fast initial scan of our own, then
// chokidar for changes. Serving starts after our scan; chokidar's slower set-up runs
// after it, and a reconcile pass when it is ready catches anything that changed meanwhile.
import { watch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isArticlePath } from '../article/parse.ts';
import type { ParseOptions } from '../article/types.ts';
import type { FeedStore } from '../store/types.ts';
import { createIndexer, type Indexer, type IndexerOptions } from './indexer.ts';

export interface WatcherOptions {
  /** The articles folder. */
  dir: string;
  store: FeedStore;
  parseOptions: ParseOptions;
  /** Quiet time before a new or changed file is read, so half-written files are never published. */
  settleMs: number;
  log?: (line: string) => void;
  /** Initial scan progress, for a terminal. */
  onProgress?: (done: number, total: number) => void;
  /** Passed to the indexer: what each change touched. */
  onChange?: IndexerOptions['onChange'];
}

export interface ScanSummary {
  files: number;
  ms: number;
}

export interface ArticleWatcher {
  /** Resolves when the initial scan is in the store. */
  ready: Promise<ScanSummary>;
  /** Resolves when chokidar watches every folder and the reconcile pass is done. */
  watching: Promise<void>;
  /** Resolves when no file is being read (tests use it after the settle window). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const SCAN_CONCURRENCY = 32;

/** Scans `dir` into the store and keeps it in step with every add, change, rename and delete. */
export function startWatcher(options: WatcherOptions): ArticleWatcher {
  const log = options.log ?? ((line: string) => console.log(`[watcher] ${line}`));
  let watcher: FSWatcher | undefined;
  let chokidarReady: Promise<void> | undefined;
  let indexer: Indexer | undefined;
  let closed = false;

  const ready = (async () => {
    const started = performance.now();
    const dir = await realpath(options.dir);
    indexer = createIndexer({ dir, store: options.store, parseOptions: options.parseOptions, log, onChange: options.onChange, settleMs: options.settleMs });
    const files = await scanFolder(dir, indexer, options.onProgress);
    // Files modified within the settle window were left for later by the indexer (they may be
    // half-written): wait for them, but no more than ten windows, or a file written without
    // pause would hold the start. They are read in the background either way.
    const limit = new Promise<void>((resolve) => setTimeout(resolve, options.settleMs * 10).unref());
    await Promise.race([indexer.idle(), limit]);
    // chokidar starts once the scan is in: its own walk (an lstat of every entry) would compete
    // with the scan for the thread pool and the event loop, and serving would start later. What
    // changes meanwhile is caught by the reconcile pass once chokidar is ready.
    if (!closed) {
      const chokidar = createChokidar(dir, options.settleMs, indexer, log);
      watcher = chokidar;
      chokidarReady = new Promise<void>((resolve) => chokidar.once('ready', () => resolve()));
    }
    return { files, ms: Math.round(performance.now() - started), dir };
  })();

  const watching = ready.then(async ({ dir }) => {
    await chokidarReady;
    if (!closed) await reconcile(dir, indexer!);
  });
  // A failed start is reported through `ready`; this branch only keeps it from going unhandled.
  watching.catch((error: unknown) => log(`reconcile failed: ${error instanceof Error ? error.message : String(error)}`));

  return {
    ready: ready.then(({ files, ms }) => ({ files, ms })),
    watching,
    idle: async () => {
      await ready;
      await indexer!.idle();
    },
    async close() {
      closed = true;
      await ready.catch(() => undefined);
      await watcher?.close();
      await indexer?.idle();
    },
  };
}

/**
 * The initial scan, without watching: every article file under `dir` (a real path) through the
 * indexer, quietly. Resolves with the number of files read. Used by the watcher and by `build`.
 */
export async function scanFolder(dir: string, indexer: Indexer, onProgress?: (done: number, total: number) => void): Promise<number> {
  // Read up to SCAN_CONCURRENCY files at once, but apply them to the store in path order: the
  // outcome (which of two files with the same id wins) is then the same on every start.
  const files = (await walk(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let previous: Promise<unknown> = Promise.resolve();
  await runLimited(
    files,
    SCAN_CONCURRENCY,
    (path) => {
      const task = indexer.update(path, true, previous);
      previous = task.catch(() => undefined);
      return task;
    },
    onProgress,
  );
  return files.length;
}

function createChokidar(dir: string, settleMs: number, indexer: Indexer, log: (line: string) => void): FSWatcher {
  const toPath = (file: string) => relative(dir, file).split(sep).join('/');
  const watcher = watch(dir, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (file: string, stats?: Stats) => isIgnored(toPath(file), stats),
    // chokidar waits until a file's size has held still for `stabilityThreshold`, checking
    // every `pollInterval`: set both, since the wait is the larger of the two.
    awaitWriteFinish: settleMs > 0 ? { stabilityThreshold: settleMs, pollInterval: Math.min(100, settleMs) } : false,
  });
  const onFile = (file: string) => {
    const path = toPath(file);
    if (isArticlePath(path)) void indexer.update(path);
  };
  watcher.on('add', onFile).on('change', onFile).on('unlink', onFile);
  // chokidar's own add/change events re-read the whole folder listing and poll sizes before they
  // fire: over a second in a flat folder of 10,000 files, a minute at 100,000. The raw fs.watch
  // event names the file within milliseconds, so each one (re)starts that file's settle timer and
  // the file is read once it has been quiet for `settleMs`. chokidar's events stay as the safety
  // net; a second read of an unchanged file changes nothing.
  const settling = new Map<string, ReturnType<typeof setTimeout>>();
  watcher.on('raw', (_event, name, details) => {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (!name || !watched) return;
    const file = watched.endsWith(sep + name) ? watched : join(watched, name);
    const path = toPath(file);
    if (path.startsWith('..') || isIgnored(path) || !isArticlePath(path)) return;
    clearTimeout(settling.get(path));
    const timer = setTimeout(() => {
      settling.delete(path);
      if (!watcher.closed) void indexer.update(path);
    }, settleMs);
    timer.unref();
    settling.set(path, timer);
  });
  // chokidar reads a new folder, then starts watching it: a file that lands in between (a quick
  // rename into a folder just made) is never reported. Once the folder has settled, read it
  // again and take in whatever the indexer has not seen.
  // The same gap swallows a folder: one renamed into a folder chokidar has just read is never
  // watched, and nothing under it is reported again. So the re-read also hands chokidar every
  // sub-folder it has not announced. `folders` holds what chokidar watches, as relative paths.
  const folders = new Set<string>(['']);
  watcher.once('ready', () => {
    for (const folder of Object.keys(watcher.getWatched())) folders.add(toPath(folder));
  });
  watcher.on('addDir', (folder: string) => {
    const prefix = toPath(folder);
    folders.add(prefix);
    const timer = setTimeout(() => {
      const found: string[] = [];
      void walk(dir, prefix, found)
        .then((paths) => {
          for (const sub of found) {
            if (folders.has(sub) || watcher.closed) continue;
            folders.add(sub);
            watcher.add(join(dir, ...sub.split('/')));
          }
          paths.filter((path) => !indexer.known.has(path)).forEach((path) => void whenStill(path));
        })
        .catch(() => undefined);
    }, settleMs + 200);
    timer.unref();
  });
  // A file found this way may still be being written, and no event will say when it is done:
  // read it once its size and mtime have held still for the settle window.
  const whenStill = async (path: string, tries = 50): Promise<void> => {
    const file = join(dir, ...path.split('/'));
    const before = await stat(file).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, Math.max(settleMs, 50)).unref());
    const after = await stat(file).catch(() => undefined);
    if (watcher.closed) return;
    const still = before && after && before.size === after.size && before.mtimeMs === after.mtimeMs;
    if (still || tries <= 0 || !after) await indexer.update(path);
    else await whenStill(path, tries - 1);
  };
  watcher.on('unlinkDir', (folder: string) => {
    folders.delete(toPath(folder));
    const prefix = `${toPath(folder)}/`;
    for (const sub of folders) if (sub.startsWith(prefix)) folders.delete(sub);
    for (const path of indexer.known.keys()) if (path.startsWith(prefix)) void indexer.update(path);
  });
  // Without a listener an 'error' event would end the process.
  watcher.on('error', (error: unknown) => log(`error: ${error instanceof Error ? error.message : String(error)}`));
  return watcher;
}

/** Dotfiles and dot-folders anywhere in the path; files that are not articles (temp files included). */
export function isIgnored(path: string, stats?: Stats): boolean {
  if (path === '' || path === '.') return false;
  if (path.split('/').some((segment) => segment.startsWith('.'))) return true;
  return stats?.isFile() === true && !isArticlePath(path);
}

/**
 * Every article path under `dir`, relative with POSIX separators; dot-folders are skipped.
 * `folders`, when given, receives every folder found below `prefix`.
 */
async function walk(dir: string, prefix = '', folders?: string[]): Promise<string[]> {
  const found: string[] = [];
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (error) {
    // A sub-folder that vanished or cannot be read is skipped; the articles folder itself must be readable.
    if (prefix !== '') return found;
    throw error;
  }
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) {
      folders?.push(path);
      found.push(...(await walk(dir, path, folders)));
    }
    else if ((entry.isFile() || entry.isSymbolicLink()) && isArticlePath(path)) found.push(path);
  }
  return found;
}

/** Brings the store in line with files that changed while chokidar was still setting up. */
async function reconcile(dir: string, indexer: Indexer): Promise<void> {
  const present = new Set(await walk(dir));
  const updates: Promise<void>[] = [];
  for (const path of indexer.known.keys()) if (!present.has(path)) updates.push(indexer.update(path));
  await runLimited([...present], SCAN_CONCURRENCY, async (path) => {
    const before = indexer.known.get(path);
    const now = await stat(join(dir, ...path.split('/'))).catch(() => undefined);
    if (!before || !now || now.mtimeMs !== before.mtimeMs || now.size !== before.size) await indexer.update(path);
  });
  await Promise.all(updates);
}

export async function runLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      await task(items[next++]!);
      onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
