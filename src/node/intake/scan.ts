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
}

const BATCH = 256;
/** Batches read ahead of the one being applied; results wait in memory until applied. */
const MAX_IN_FLIGHT = 8;
const PROGRESS_MS = 5000;

/** `poolFor(count)` gives the reader for a folder of `count` files (and is closed after). */
export async function scanFolder(dir: string, indexer: Indexer, poolFor: (count: number) => ReadPool, { onProgress, log }: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const files = (await walkArticles(dir)).files.sort(byPath);
  // Records of files gone while nothing was running.
  const present = new Set(files);
  for (const path of [...indexer.known.keys()]) if (!present.has(path)) indexer.forget(path);
  // With a trusted state most files are unchanged: one lstat each, here, tells which. Only the
  // others go to the readers (threads when there are many), while results are applied in order.
  const unchanged = new Set<string>();
  for (let index = 0; index < files.length; index++) {
    const path = files[index]!;
    if (isUnchanged(dir, path, indexer.known.get(path))) unchanged.add(path);
    // Let the server answer /healthz (503) during a long pass.
    if (index % 4096 === 4095) await new Promise((resolve) => setImmediate(resolve));
  }
  const changed = files.filter((path) => !unchanged.has(path));
  const pool = poolFor(changed.length);
  try {
    return await readAll(files, unchanged, changed, indexer, pool, { onProgress, log }, started);
  } finally {
    await pool.close();
  }
}

async function readAll(
  files: string[],
  unchanged: ReadonlySet<string>,
  changed: string[],
  indexer: Indexer,
  pool: ReadPool,
  { onProgress, log }: ScanOptions,
  started: number,
): Promise<ScanSummary> {
  const batches = new Map<string, Promise<FileOutcome[]>>();
  const inFlight: Promise<FileOutcome[]>[] = [];
  let nextBatch = 0;
  const startBatches = () => {
    while (inFlight.length < MAX_IN_FLIGHT && nextBatch < changed.length) {
      const paths = changed.slice(nextBatch, nextBatch + BATCH);
      nextBatch += paths.length;
      const outcomes = pool.read(paths, paths.map((path) => knownOf(indexer.known.get(path))));
      inFlight.push(outcomes);
      for (const path of paths) batches.set(path, outcomes);
    }
  };
  startBatches();
  let done = 0;
  let read = 0;
  let lastLine = performance.now();
  const byPathOutcome = new Map<string, FileOutcome>();
  for (const path of files) {
    if (unchanged.has(path)) {
      await indexer.apply({ path, kind: 'same' }, true);
    } else {
      if (!byPathOutcome.has(path)) {
        const outcomes = await batches.get(path)!;
        inFlight.splice(inFlight.indexOf(batches.get(path)!), 1);
        for (const outcome of outcomes) {
          byPathOutcome.set(outcome.path, outcome);
          batches.delete(outcome.path);
        }
        startBatches();
      }
      const outcome = byPathOutcome.get(path)!;
      byPathOutcome.delete(path);
      if (outcome.kind === 'read') read += 1;
      await indexer.apply(outcome, true);
    }
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
