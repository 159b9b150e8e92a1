// The initial scan: every article file through the read pool in batches, applied to the store in
// path order (which of two files with the same id wins is then the same on every start). With a
// trusted state, a file whose size, mtime and inode are unchanged is not read at all.
import type { Indexer } from './indexer.ts';
import type { ReadPool } from './read-pool.ts';
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
const PROGRESS_MS = 5000;

/** `poolFor(count)` gives the reader for a folder of `count` files (and is closed after). */
export async function scanFolder(dir: string, indexer: Indexer, poolFor: (count: number) => ReadPool, { onProgress, log }: ScanOptions = {}): Promise<ScanSummary> {
  const started = performance.now();
  const files = (await walkArticles(dir)).files.sort(byPath);
  const pool = poolFor(files.length);
  try {
    return await readAll(files, indexer, pool, { onProgress, log }, started);
  } finally {
    await pool.close();
  }
}

async function readAll(files: string[], indexer: Indexer, pool: ReadPool, { onProgress, log }: ScanOptions, started: number): Promise<ScanSummary> {
  const present = new Set(files);
  for (const path of [...indexer.known.keys()]) if (!present.has(path)) indexer.forget(path);
  let done = 0;
  let read = 0;
  let lastLine = performance.now();
  const batches: Promise<void>[] = [];
  let applied: Promise<void> = Promise.resolve();
  for (let start = 0; start < files.length; start += BATCH) {
    const paths = files.slice(start, start + BATCH);
    const outcomes = pool.read(paths, paths.map((path) => indexer.known.get(path)));
    // Reads overlap; applying waits for the batch before it.
    applied = Promise.all([outcomes, applied]).then(async ([results]) => {
      for (const outcome of results) {
        if (outcome.kind === 'read') read += 1;
        await indexer.apply(outcome, true);
      }
      done += paths.length;
      onProgress?.(done, files.length);
      if (log && performance.now() - lastLine >= PROGRESS_MS) {
        lastLine = performance.now();
        log(`scanning: ${done.toLocaleString('en-US')} of ${files.length.toLocaleString('en-US')} files`);
      }
    });
    batches.push(applied);
    // Keep a bounded number of batches in flight: results wait in memory until applied.
    if (batches.length >= 8) await batches.shift();
  }
  await Promise.all(batches);
  return { files: files.length, read, ms: Math.round(performance.now() - started) };
}
