// Reads many files at once for the initial scan and reconcile passes: batches of paths go to
// worker threads (parsing is most of a cold start's CPU, and a 2-core machine has a core to
// spare beside the event loop), or run in-process when threads are off or cannot start.
import type { LogLine } from '../logger.ts';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadBatch } from './file-worker.ts';
import { detached, readArticleFile, type FileOutcome, type KnownFile, type ReadOptions } from './read-file.ts';

export interface ReadPool {
  /** Outcomes in the order of `paths`. */
  read(paths: string[], known: (KnownFile | undefined)[]): Promise<FileOutcome[]>;
  /** How the pool runs, for the start-up log. */
  readonly mode: string;
  close(): Promise<void>;
}

/** Default number of reader threads: one per core, at most four (reads contend for the disk). */
export function defaultThreads(): number {
  return Math.min(4, availableParallelism());
}

/**
 * Below this many files threads cost more than they save: run from TypeScript sources each one
 * loads the parser through tsx (about a second of CPU); at 10,000 files the scan took longer with
 * two threads than without, at 100,000 as long, with 40% less peak memory (BENCHMARKS.md).
 */
export const POOL_MIN_FILES = 20_000;

/** The reader for `count` files: threads for large folders, in-process for small ones. */
export function readerFor(options: ReadOptions, count: number, threads = defaultThreads(), log?: LogLine): ReadPool {
  return createReadPool(options, count >= POOL_MIN_FILES ? threads : 0, log);
}

/** A pool of `threads` readers; 0 reads in-process. */
export function createReadPool(options: ReadOptions, threads = defaultThreads(), log: LogLine = () => {}): ReadPool {
  if (threads <= 0) return inProcess(options, 'in-process');
  const workers: { worker: Worker; busy: boolean }[] = [];
  const pending = new Map<number, { resolve: (outcomes: FileOutcome[]) => void; reject: (error: Error) => void }>();
  const queue: ReadBatch[] = [];
  let broken: Error | undefined;
  let nextId = 0;
  const fallback = inProcess(options, 'in-process');

  const dispatch = () => {
    for (const slot of workers) {
      if (slot.busy || queue.length === 0) continue;
      slot.busy = true;
      // A busy thread keeps the process alive; an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage(queue.shift());
    }
  };
  for (let index = 0; index < threads; index++) {
    const worker = startWorker(options);
    const slot = { worker, busy: false };
    worker.on('message', ({ id, outcomes }: { id: number; outcomes: FileOutcome[] }) => {
      slot.busy = false;
      worker.unref();
      pending.get(id)?.resolve(outcomes);
      pending.delete(id);
      dispatch();
    });
    // A worker that cannot start (no loader for its source, a resource limit) fails its batches
    // over to the in-process reader: slower, never wrong.
    worker.on('error', (error) => {
      if (!broken) log(`reader threads stopped (${error.message}): reading in-process instead`, 'warn');
      broken ??= error;
      queue.length = 0;
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(error);
      }
    });
    worker.unref();
    workers.push(slot);
  }

  return {
    mode: `${threads} reader thread${threads === 1 ? '' : 's'}`,
    async read(paths, known) {
      if (broken) return fallback.read(paths, known);
      const id = nextId++;
      const answer = new Promise<FileOutcome[]>((resolve, reject) => pending.set(id, { resolve, reject }));
      queue.push({ id, paths, known });
      dispatch();
      return answer.catch(() => fallback.read(paths, known));
    },
    async close() {
      await Promise.all(workers.map(({ worker }) => worker.terminate()));
    },
  };
}

function inProcess(options: ReadOptions, mode: string): ReadPool {
  return {
    mode,
    async read(paths, known) {
      return paths.map((path, index) => detached(readArticleFile(path, known[index], options)));
    },
    async close() {},
  };
}

/**
 * Starts one reader. Built JavaScript runs as it is; TypeScript sources (tsx, vitest) need a
 * loader inside the thread, which Node 20 does not pass on to workers: register tsx's there.
 */
// A reader's heap holds one batch of files and their garbage: capped, it collects early instead of
// growing to V8's default (a quarter of the machine's memory), which set the peak RSS of a scan.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 };

function startWorker(options: ReadOptions): Worker {
  const source = new URL(import.meta.url.endsWith('.ts') ? './file-worker.ts' : './file-worker.js', import.meta.url);
  if (!source.pathname.endsWith('.ts')) return new Worker(source, { workerData: options, resourceLimits: WORKER_LIMITS });
  // tsx's ES module API (its CommonJS twin fails to load under tsx's own require hook).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source.href)}); });`;
  return new Worker(boot, { eval: true, workerData: options, resourceLimits: WORKER_LIMITS });
}
