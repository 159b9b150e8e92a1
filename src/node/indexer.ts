// Reads one article file and brings the store up to date with it: publish, update,
// remove or reject. Calls for the same path run one at a time, in order.
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { oversizeReason, parseArticle } from '../article/parse.ts';
import type { ParseOptions } from '../article/types.ts';
import type { FeedStore } from '../store/types.ts';

export interface IndexerOptions {
  /** Absolute, real path of the articles folder. */
  dir: string;
  store: FeedStore;
  parseOptions: ParseOptions;
  log: (line: string) => void;
  /**
   * After a put or removal that changed something: the sections whose feeds changed (before and
   * after), e.g. to notify WebSub hubs. Scheduled articles are reported even during the scan.
   */
  onChange?: (change: { path: string; sections: string[]; kind: 'added' | 'updated' | 'removed' | 'scheduled' }) => void;
  /**
   * A file modified less than this long ago may still be being written: it is not read yet, but
   * looked at again once it is that old. Events from the watcher come after the settle window
   * anyway; this keeps the initial scan and the reconcile pass from publishing a half-written
   * file. 0 (the default, for `build`) reads everything at once.
   */
  settleMs?: number;
}

export interface FileState {
  mtimeMs: number;
  size: number;
}

export interface Indexer {
  /**
   * Re-reads `path` (relative, POSIX separators) and updates the store. Resolves when done.
   * `quiet` (the initial scan) logs only rejections: the start-up line sums up the rest.
   * `turn`, when given, holds back the store change (not the read) until it settles: the scan
   * reads many files at once but applies them in path order, so that which of two files with
   * the same id is published does not depend on which read finished first.
   */
  update(path: string, quiet?: boolean, turn?: Promise<unknown>): Promise<void>;
  /** What was last read for each path still present. */
  readonly known: ReadonlyMap<string, FileState>;
  /** Resolves when no update is running or queued. */
  idle(): Promise<void>;
}

/** Creates the per-file indexer shared by the initial scan and the watcher. */
export function createIndexer({ dir, store, parseOptions, log, onChange = () => {}, settleMs = 0 }: IndexerOptions): Indexer {
  const known = new Map<string, FileState>();
  /** Files too recently modified to read, by path: each is looked at again once it is old enough. */
  const deferred = new Map<string, Promise<void>>();
  const lastReason = new Map<string, string>();
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();

  async function read(path: string, quiet: boolean, turn: Promise<unknown> | undefined): Promise<void> {
    const removed = async (path: string) => {
      await turn;
      return removedNow(path);
    };
    const rejected = async (path: string, reason: string) => {
      await turn;
      return rejectedNow(path, reason);
    };
    const file = join(dir, ...path.split('/'));
    let info;
    try {
      const link = await lstat(file);
      if (link.isSymbolicLink()) {
        const target = await realpath(file);
        if (!target.startsWith(dir + sep)) return rejected(path, 'symlink points outside the articles folder');
      }
      info = await stat(file);
      if (!info.isFile()) return removed(path);
      // A modification time in the future (clock skew, copied files) is not "recent".
      const age = Date.now() - info.mtimeMs;
      if (age >= 0 && age < settleMs) return defer(path, settleMs - age, quiet);
      if (info.size > parseOptions.maxBytes) {
        known.set(path, { mtimeMs: info.mtimeMs, size: info.size });
        return rejected(path, oversizeReason(info.size, parseOptions.maxBytes));
      }
      const bytes = await readFile(file);
      known.set(path, { mtimeMs: info.mtimeMs, size: info.size });
      const result = parseArticle({ path, bytes, mtime: info.mtime }, parseOptions);
      if (!result.ok) return rejected(path, result.error.reason);
      await turn;
      const before = quiet ? undefined : await store.get(path);
      const outcome = await store.put(result.article);
      if (!outcome.ok) return reportOnce(path, outcome.reason);
      lastReason.delete(path);
      const { article } = result;
      if (outcome.change === 'scheduled' && quiet) onChange({ path, sections: [], kind: 'scheduled' });
      if (quiet || outcome.change === 'unchanged') return;
      if (outcome.change === 'added') log(`published ${path} (${article.section})`);
      else if (outcome.change === 'updated') log(`updated ${path}`);
      else if (outcome.change === 'removed') log(`removed ${path} (draft)`);
      else log(`scheduled ${path} for ${article.publishedAt.toISOString()}`);
      const visible = outcome.change === 'added' || outcome.change === 'updated';
      const sections = [...new Set([before?.sectionSlug, visible ? article.sectionSlug : undefined])].filter((s) => s !== undefined);
      onChange({ path, sections, kind: outcome.change });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The file went away between the event and the read (or a folder on its path became a
      // file): that is a removal, not an error.
      if (code === 'ENOENT' || code === 'ENOTDIR') return removed(path);
      // The code, never the message: Node's messages carry the absolute path, which /status shows.
      return rejected(path, `cannot read the file (${code ?? 'unknown error'})`);
    }
  }

  async function removedNow(path: string): Promise<void> {
    known.delete(path);
    lastReason.delete(path);
    const before = await store.get(path);
    if (!(await store.remove(path))) return;
    log(`removed ${path}`);
    onChange({ path, sections: before ? [before.sectionSlug] : [], kind: 'removed' });
  }

  async function rejectedNow(path: string, reason: string): Promise<void> {
    await store.reject(path, reason);
    reportOnce(path, reason);
  }

  function reportOnce(path: string, reason: string): void {
    if (lastReason.get(path) === reason) return;
    lastReason.set(path, reason);
    log(`rejected ${path}: ${reason}`);
  }

  function defer(path: string, ms: number, quiet: boolean): void {
    if (deferred.has(path)) return;
    const later = new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms) + 5).unref()).then(() => {
      deferred.delete(path);
      return update(path, quiet);
    });
    deferred.set(path, later);
  }

  function update(path: string, quiet = false, turn?: Promise<unknown>): Promise<void> {
    const current = running.get(path);
    if (current) {
      // A read is under way: read once more after it, however many events arrive meanwhile.
      again.add(path);
      return current;
    }
    const task = read(path, quiet, turn).finally(() => {
      running.delete(path);
      if (again.delete(path)) void update(path);
    });
    running.set(path, task);
    return task;
  }

  async function idle(): Promise<void> {
    while (running.size > 0 || deferred.size > 0) await Promise.all([...running.values(), ...deferred.values()]);
  }

  return { update, known, idle };
}
