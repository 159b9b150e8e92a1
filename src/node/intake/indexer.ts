// Brings the store up to date with one file at a time: publish, update, remove or reject, and
// records what each file gave. Calls for the same path run one at a time, in order.
import type { LogLine } from '../logger.ts';
import type { ParseOptions } from '../../article/types.ts';
import type { FeedStore } from '../../store/types.ts';
import { detached, readArticleFile, type FileOutcome } from './read-file.ts';
import { fromStoredArticle, type FileRecord } from './state/intake-state.ts';

/** Where the indexer keeps what each file gave: the persisted state, or a plain map. */
export interface RecordBook {
  readonly records: ReadonlyMap<string, FileRecord>;
  set(record: FileRecord, line?: Uint8Array): void;
  delete(path: string): void;
}

export interface IndexerOptions {
  /** Absolute, real path of the articles folder. */
  dir: string;
  store: FeedStore;
  parseOptions: ParseOptions;
  log: LogLine;
  /** What each file gave; defaults to an in-memory book (nothing persisted). */
  book?: RecordBook;
  /**
   * After a put or removal that changed something: the sections whose feeds changed (before and
   * after), e.g. to notify WebSub hubs. Scheduled articles are reported even during the scan.
   */
  onChange?: (change: { path: string; sections: string[]; kind: 'added' | 'updated' | 'removed' | 'scheduled' }) => void;
  /** The settle window (settle.ts); 0 (the default, for `build`) reads everything at once. */
  settleMs?: number;
  /**
   * Told, for each change that reached the store after `update` (a watch event, a comparison), how
   * long it took from the first `update` call for that path, settle time included: in ms.
   */
  onLatency?: (ms: number) => void;
}

export interface Indexer {
  /**
   * Re-reads `path` (relative, POSIX separators) and updates the store. Resolves when done.
   * `quiet` (the initial scan) logs only rejections: the start-up line sums up the rest.
   */
  update(path: string, quiet?: boolean): Promise<void>;
  /**
   * Applies an outcome read elsewhere (the read pool). `initial`: the store is still empty, so
   * an unchanged file publishes what its record says. Not for a path with an update under way.
   */
  apply(outcome: FileOutcome, initial: boolean): Promise<void>;
  /** Drops the record of a path that is gone (the initial scan, for paths gone while stopped). */
  forget(path: string): void;
  /** What each path present gave, as last read. */
  readonly known: ReadonlyMap<string, FileRecord>;
  /** Resolves when no update is running or queued. */
  idle(): Promise<void>;
  /** Files being read or waiting for their settle time. */
  readonly pending: number;
  /**
   * Takes no more updates and drops those waiting for their settle time (a file left unread is
   * read on the next start: its record, if any, no longer matches it). Resolves when reads under way are done.
   */
  stop(): Promise<void>;
}

export function createMemoryBook(): RecordBook {
  const records = new Map<string, FileRecord>();
  return { records, set: (record) => void records.set(record.path, record), delete: (path) => void records.delete(path) };
}

/** Creates the per-file indexer shared by the initial scan, reconcile passes and the watcher. */
export function createIndexer({ dir, store, parseOptions, log, onChange = () => {}, settleMs = 0, book = createMemoryBook(), onLatency }: IndexerOptions): Indexer {
  /** Files too recently modified to read, by path: each is looked at again once it is old enough. */
  const deferred = new Map<string, Promise<void>>();
  const lastReason = new Map<string, string>();
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();
  const readOptions = { dir, parseOptions, settleMs };
  /** When `update` was first asked for each path whose change has not reached the store yet. */
  const since = new Map<string, number>();
  const landed = (path: string) => {
    const at = since.get(path);
    if (at === undefined) return;
    since.delete(path);
    onLatency?.(performance.now() - at);
  };

  async function apply(outcome: FileOutcome, initial: boolean, quiet = initial): Promise<void> {
    const { path } = outcome;
    switch (outcome.kind) {
      case 'gone':
        return removed(path);
      case 'young':
        return defer(path, outcome.waitMs, quiet);
      case 'failed':
        return rejected(path, outcome.reason);
      case 'same': {
        const record = book.records.get(path);
        if (initial && record) return publish(record, initial, quiet);
        return;
      }
      case 'read':
        book.set(outcome.record, outcome.line);
        return publish(outcome.record, initial, quiet);
    }
  }

  async function publish(record: FileRecord, initial: boolean, quiet: boolean): Promise<void> {
    const { path, result } = record;
    if (!result.ok) return rejected(path, result.reason);
    const article = fromStoredArticle(result.article, record.hash);
    const before = initial ? undefined : await store.get(path);
    const outcome = await store.put(article);
    if (!outcome.ok) return reportOnce(path, outcome.reason);
    lastReason.delete(path);
    if (outcome.change === 'scheduled' && quiet) onChange({ path, sections: [], kind: 'scheduled' });
    if (outcome.change === 'added' || outcome.change === 'updated' || outcome.change === 'removed') landed(path);
    if (quiet || outcome.change === 'unchanged') return;
    if (outcome.change === 'added') log(`published ${path} (${article.section})`);
    else if (outcome.change === 'updated') log(`updated ${path}`);
    else if (outcome.change === 'removed') log(`removed ${path} (draft)`);
    else log(`scheduled ${path} for ${article.publishedAt.toISOString()}`);
    const visible = outcome.change === 'added' || outcome.change === 'updated';
    const sections = [...new Set([before?.sectionSlug, visible ? article.sectionSlug : undefined])].filter((s) => s !== undefined);
    onChange({ path, sections, kind: outcome.change });
  }

  async function removed(path: string): Promise<void> {
    book.delete(path);
    lastReason.delete(path);
    const before = await store.get(path);
    if (!(await store.remove(path))) return;
    landed(path);
    log(`removed ${path}`);
    onChange({ path, sections: before ? [before.sectionSlug] : [], kind: 'removed' });
  }

  async function rejected(path: string, reason: string): Promise<void> {
    await store.reject(path, reason);
    reportOnce(path, reason);
  }

  function reportOnce(path: string, reason: string): void {
    if (lastReason.get(path) === reason) return;
    lastReason.set(path, reason);
    log(`rejected ${path}: ${reason}`, 'warn');
  }

  /** Ends the settle waits early (stop()). */
  const wakers = new Map<string, () => void>();
  let stopped = false;

  function defer(path: string, ms: number, quiet: boolean): void {
    if (deferred.has(path) || stopped) return;
    const later = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms + 1).unref();
      wakers.set(path, () => {
        clearTimeout(timer);
        resolve();
      });
    }).then(() => {
      deferred.delete(path);
      wakers.delete(path);
      return update(path, quiet);
    });
    deferred.set(path, later);
  }

  function update(path: string, quiet = false): Promise<void> {
    if (stopped) return Promise.resolve();
    const current = running.get(path);
    if (current) {
      // A read is under way: read once more after it, however many events arrive meanwhile.
      again.add(path);
      return current;
    }
    if (onLatency && !quiet && !since.has(path)) since.set(path, performance.now());
    const task = Promise.resolve()
      .then(() => apply(detached(readArticleFile(path, book.records.get(path), readOptions)), false, quiet))
      .finally(() => {
        running.delete(path);
        if (again.delete(path)) void update(path);
        // Nothing reached the store, and nothing is waiting to: no latency to report for this one.
        else if (!deferred.has(path)) since.delete(path);
      });
    running.set(path, task);
    return task;
  }

  async function idle(): Promise<void> {
    while (running.size > 0 || deferred.size > 0) await Promise.all([...running.values(), ...deferred.values()]);
  }

  return {
    update,
    apply: (outcome, initial) => apply(outcome, initial),
    forget: (path) => book.delete(path),
    known: book.records,
    idle,
    get pending() {
      return running.size + deferred.size;
    },
    async stop() {
      stopped = true;
      for (const wake of [...wakers.values()]) wake();
      await idle();
    },
  };
}
