// The initial scan: every article file through the read pool in batches, applied to the store in
// path order (which of two files with the same id wins is then the same on every start). With a
// trusted state, a file whose size, mtime and inode are unchanged is not read at all.
import type { Indexer } from './indexer.ts';
import type { ReadPool } from './read-pool.ts';
import { isUnchanged, knownOf, type FileOutcome } from './read-file.ts';
import { byPath, walkArticles } from './walk.ts';

export interface ScanSummary {
  /** Article files found. */
  files: number;
  /** Of them, read and parsed (the rest were known unchanged). */
  read: number;
  ms: number;
}

export interface ScanOptions {
  /** Progress for a terminal. */
  onProgress?: (done: number, total: number) => void;
  /** Without onProgress: a progress line every PROGRESS_MS. */
  log?: (line: string) => void;
  /** True once the process is stopping: the scan ends early (what it read so far is kept). */
  stopped?: () => boolean;
}

const BATCH = 256;
/** Batches read ahead of the one being applied; results wait in memory until applied. */
const MAX_IN_FLIGHT = 8;
const PROGRESS_MS = 5000;

/** `poolFor(count)` gives the reader for a folder of `count` files (and is closed after). */
export async function scanFolder(dir: string, indexer: Indexer, poolFor: (count: number) => ReadPool, { onProgress, log, stopped }: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const files = (await walkArticles(dir)).files.sort(byPath);
  // Records of files gone while nothing was running.
  const present = new Set(files);
  for (const path of [...indexer.known.keys()]) if (!present.has(path)) indexer.forget(path);
  // With a trusted state most files are unchanged: one lstat each tells which. Only the others
  // go to the readers (threads when there are many), while results are applied in path order.
  const changed = await changedFiles(dir, files, indexer);
  const pool = poolFor(changed.length);
  try {
    return await readAll(files, changed, indexer, pool, { onProgress, log, stopped }, started);
  } finally {
    await pool.close();
  }
}

/**
 * The files of `files` (in their order) whose size, mtime or inode differ from what `indexer`
 * recorded, or that it has no record of. One lstat each, in slices, so requests are still answered.
 */
export async function changedFiles(dir: string, files: readonly string[], indexer: Indexer): Promise<string[]> {
  const changed: string[] = [];
  for (let start = 0; start < files.length; start += 4096) {
    for (const path of files.slice(start, start + 4096)) if (!isUnchanged(dir, path, indexer.known.get(path))) changed.push(path);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return changed;
}

async function readAll(
  files: string[],
  changed: string[],
  indexer: Indexer,
  pool: ReadPool,
  { onProgress, log, stopped }: ScanOptions,
  started: number,
): Promise<ScanSummary> {
  // `changed` is in the order of `files`, and each batch answers in the order it was asked: the
  // batches are consumed front to back, a bounded number of them read ahead.
  const batches: Promise<FileOutcome[]>[] = [];
  let next = 0;
  const readAhead = () => {
    while (batches.length < MAX_IN_FLIGHT && next < changed.length) {
      const paths = changed.slice(next, next + BATCH);
      next += paths.length;
      batches.push(pool.read(paths, paths.map((path) => knownOf(indexer.known.get(path)))));
    }
  };
  readAhead();
  let current: FileOutcome[] = [];
  let at = 0;
  /** Index in `changed` of the next changed file to meet in `files`. */
  let pending = 0;
  let done = 0;
  let read = 0;
  let lastLine = performance.now();
  for (const path of files) {
    if (stopped?.()) {
      // Batches still being read are left to the pool's close; none of them rejects.
      break;
    }
    let outcome: FileOutcome = { path, kind: 'same' };
    if (changed[pending] === path) {
      pending += 1;
      if (at === current.length) {
        current = await batches.shift()!;
        at = 0;
        readAhead();
      }
      outcome = current[at++]!;
    }
    if (outcome.kind === 'read') read += 1;
    await indexer.apply(outcome, true);
    done += 1;
    if (done % 256 === 0 || done === files.length) {
      onProgress?.(done, files.length);
      if (log && performance.now() - lastLine >= PROGRESS_MS) {
        lastLine = performance.now();
        log(`scanning: ${done.toLocaleString('en-US')} of ${files.length.toLocaleString('en-US')} files`);
      }
    }
  }
  return { files: files.length, read, ms: Math.round(performance.now() - started) };
}
