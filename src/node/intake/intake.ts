// The intake: keeps the store equal to the articles folder. A start reads what changed since the
// persisted state (everything, the first time) with reader threads, then a watch engine reports
// every change, and each changed file is read once it has settled.
import type { LogLine } from '../logger.ts';
import { realpath } from 'node:fs/promises';
import type { ParseOptions } from '../../article/types.ts';
import { PARSER_VERSION } from '../../article/parse.ts';
import { errorMessage } from '../../errors.ts';
import type { FeedStore } from '../../store/types.ts';
import { startChangeFeed, type ChangeFeed } from './change-feed.ts';
import type { WatchEngine } from './engines/types.ts';
import { createIndexer, createMemoryBook, type Indexer, type IndexerOptions, type RecordBook } from './indexer.ts';
import { readerFor } from './read-pool.ts';
import { runLimited } from '../run-limited.ts';
import { changedFiles, scanFolder, type ScanSummary } from './scan.ts';
import { openState, type PersistedState } from './state/intake-state.ts';
import { walkArticles } from './walk.ts';

export interface IntakeOptions {
  /** The articles folder. */
  dir: string;
  store: FeedStore;
  parseOptions: ParseOptions;
  /** Quiet time before a new or changed file is read (settle.ts). */
  settleMs: number;
  /** The watch engine (engine.ts chooses one); undefined compares the folder on a timer. */
  engine: WatchEngine | undefined;
  /** The state folder; undefined keeps nothing between runs. */
  stateDir?: string;
  /** Reader threads for scans of large folders; 0 reads in-process. */
  threads?: number;
  /** Shortest time between two comparisons when no engine can watch (default 5 s). */
  pollMs?: number;
  /** How often the articles folder itself is checked for removal or replacement (default 1 s). */
  rootCheckMs?: number;
  /** Shortest time between two safety comparisons beside a watch engine (default 60 s). */
  verifyMs?: number;
  log?: LogLine;
  /** Scan progress, for a terminal; without it a log line every few seconds says how far it got. */
  onProgress?: (done: number, total: number) => void;
  onChange?: IndexerOptions['onChange'];
  /** Time from a watch event to the store, per change (the file-to-feed metric). */
  onLatency?: IndexerOptions['onLatency'];
}

export interface Intake {
  /** Resolves when the initial scan is in the store. */
  ready: Promise<ScanSummary>;
  /** Resolves when the engine reports changes and anything missed meanwhile is read. */
  watching: Promise<void>;
  /** Resolves when no file is being read (tests use it after the settle window). */
  idle(): Promise<void>;
  /** Reads `path` again soon (relative, POSIX separators): something found it differs from its record. */
  recheck(path: string): void;
  /** `native`, `chokidar` or `polling` once watching. */
  readonly mode: string;
  /** Changed files waiting to be read or being read. */
  readonly pending: number;
  /** Stops watching and writes the state; during the first scan, the scan stops early (`ready` resolves). */
  close(): Promise<void>;
}

/** Everything that changes what a file parses to: a difference means the state is not used. */
export function stateFingerprint(parseOptions: ParseOptions): Record<string, string | number> {
  return { parser: PARSER_VERSION, ...parseOptions };
}

export function startIntake(options: IntakeOptions): Intake {
  const log = options.log ?? ((line: string) => console.log(`[intake] ${line}`));
  let feed: ChangeFeed | undefined;
  let indexer: Indexer | undefined;
  let state: PersistedState | undefined;
  let closed = false;
  /** Paths reported while the scan runs: read once it is in. */
  let held: Set<string> | undefined = new Set();
  let onClosing = () => {};
  const closing = new Promise<void>((resolve) => (onClosing = resolve));

  const onPath = (path: string) => {
    if (held) held.add(path);
    else void indexer?.update(path);
  };
  let folders: FolderCounts | undefined;
  const onFolderStale = (folder: string) => {
    // Every deleted file may have been a folder: the counts make that question cheap.
    if (!folders?.has(folder)) return;
    const prefix = `${folder}/`;
    for (const path of indexer?.known.keys() ?? []) if (path.startsWith(prefix)) onPath(path);
  };

  const ready = (async () => {
    const started = performance.now();
    const dir = await realpath(options.dir);
    const book = await openBook(options, log);
    state = book.state;
    folders = countFolders(book.book);
    indexer = createIndexer({ dir, store: options.store, parseOptions: options.parseOptions, log, onChange: options.onChange, settleMs: options.settleMs, book: folders.book, onLatency: options.onLatency });
    const startFeed = () =>
      startChangeFeed({ dir, engine: options.engine, log, onPath, onFolderStale, onResync: () => reconcile(dir, indexer!), pollMs: options.pollMs, rootCheckMs: options.rootCheckMs, verifyMs: options.verifyMs });
    // The native engine reports from the moment it is subscribed, so it is subscribed before the
    // scan lists the folder (a file made in between would be in neither) and what it reports
    // meanwhile is read after. chokidar's own walk (an lstat per entry) would compete with the
    // scan: it starts after, and a comparison catches what changed meanwhile.
    const nativeFirst = options.engine?.name === 'native';
    if (nativeFirst) {
      feed = startFeed();
      await feed.ready;
    }
    const readOptions = { dir, parseOptions: options.parseOptions, settleMs: options.settleMs };
    const summary = await scanFolder(dir, indexer, (count) => readerFor(readOptions, count, options.threads, log), {
      onProgress: options.onProgress,
      log: options.onProgress ? undefined : log,
      stopped: () => closed,
    });
    // Files modified within the settle window were left for later (they may be half-written):
    // wait for them, but no more than ten windows. They are read in the background either way.
    const limit = new Promise<void>((resolve) => setTimeout(resolve, options.settleMs * 10).unref());
    await Promise.race([indexer.idle(), limit, closing]);
    if (!closed && !nativeFirst) feed = startFeed();
    const waiting = held ?? new Set<string>();
    held = undefined;
    for (const path of waiting) void indexer.update(path);
    return { ...summary, ms: Math.round(performance.now() - started), dir };
  })();

  const watching = ready.then(async ({ dir }) => {
    await feed?.ready;
    if (!closed && feed && options.engine?.name !== 'native') await reconcile(dir, indexer!);
  });
  // A failed start is reported through `ready`; this branch only keeps it from going unhandled.
  watching.catch((error: unknown) => log(`comparing the folder failed: ${errorMessage(error)}`, 'error'));

  return {
    ready: ready.then(({ dir: _dir, ...summary }) => summary),
    watching,
    recheck: onPath,
    get mode() {
      return feed?.mode ?? 'starting';
    },
    get pending() {
      return (held?.size ?? 0) + (indexer?.pending ?? 0);
    },
    idle: async () => {
      await ready;
      await indexer!.idle();
    },
    async close() {
      closed = true;
      onClosing();
      await ready.catch(() => undefined);
      await feed?.close();
      await indexer?.stop();
      await state?.close();
    },
  };
}

/** The state folder's records when it can be trusted, else an empty book (with one log line why). */
async function openBook(options: IntakeOptions, log: LogLine): Promise<{ book: RecordBook; state?: PersistedState }> {
  if (options.stateDir === undefined) return { book: createMemoryBook() };
  const opened = await openState({ dir: options.stateDir, fingerprint: stateFingerprint(options.parseOptions), log });
  // openState logs why it could not use what it found; a usable state is worth a line too.
  if (opened.status === 'loaded') log(`state: ${opened.state.records.size} files known from ${options.stateDir}`);
  return { book: opened.state, state: opened.state };
}

/** Compares the folder with what is known and reads whatever changed, appeared or went. */
async function reconcile(dir: string, indexer: Indexer): Promise<void> {
  const { files } = await walkArticles(dir);
  const present = new Set(files);
  const gone = [...indexer.known.keys()].filter((path) => !present.has(path));
  // Only what differs from its record is read again, through the indexer like every other change.
  const stale = [...gone, ...(await changedFiles(dir, files, indexer))];
  await runLimited(stale, 8, (path) => indexer.update(path));
}

/**
 * One scan, no watching (`wirefeed build`): every file into the store, through the state when
 * one is configured, so dates and unchanged files carry over between builds too.
 */
export async function scanOnce(options: Omit<IntakeOptions, 'engine' | 'settleMs' | 'onChange'>): Promise<ScanSummary> {
  const log = options.log ?? (() => {});
  const dir = await realpath(options.dir);
  const { book, state } = await openBook({ ...options, engine: undefined, settleMs: 0 }, log);
  const indexer = createIndexer({ dir, store: options.store, parseOptions: options.parseOptions, log, book });
  const readOptions = { dir, parseOptions: options.parseOptions, settleMs: 0 };
  try {
    return await scanFolder(dir, indexer, (count) => readerFor(readOptions, count, options.threads, log), { onProgress: options.onProgress, log: options.onProgress ? undefined : log });
  } finally {
    await state?.close();
  }
}

interface FolderCounts {
  /** The same book, keeping the counts as records come and go. */
  book: RecordBook;
  /** Whether any known file lies below `folder`. */
  has(folder: string): boolean;
}

/** Known files per folder (each ancestor counts), kept beside the records. */
function countFolders(inner: RecordBook): FolderCounts {
  const counts = new Map<string, number>();
  const adjust = (path: string, by: number) => {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      const folder = path.slice(0, slash);
      const count = (counts.get(folder) ?? 0) + by;
      if (count > 0) counts.set(folder, count);
      else counts.delete(folder);
    }
  };
  for (const path of inner.records.keys()) adjust(path, 1);
  return {
    has: (folder) => counts.has(folder),
    book: {
      records: inner.records,
      set(record, line) {
        if (!inner.records.has(record.path)) adjust(record.path, 1);
        inner.set(record, line);
      },
      delete(path) {
        if (inner.records.has(path)) adjust(path, -1);
        inner.delete(path);
      },
    },
  };
}
