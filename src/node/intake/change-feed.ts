// Turns a watch engine's reports into the paths the intake must look at again, and keeps
// watching through what engines hand over in bulk: folders renamed in (walked, and their
// sub-folders adopted), folders removed (everything under them), lost events (a resync), the
// articles folder itself removed or replaced, and an engine that cannot start at all (the
// system's watch limit): then the folder is compared on a timer and serving goes on.
import type { LogLine } from '../logger.ts';
import { lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isArticlePath } from '../../article/parse.ts';
import { errorMessage } from '../../errors.ts';
import { isWatchLimitError, type WatchEngine, type WatchSink, type WatchSubscription } from './engines/types.ts';
import { isIgnored, walkArticles } from './walk.ts';

export interface ChangeFeedOptions {
  /** Real path of the articles folder. */
  dir: string;
  /** The engine; undefined compares the folder on a timer only. */
  engine: WatchEngine | undefined;
  log: LogLine;
  /** An article path that may have changed, appeared or gone. */
  onPath(path: string): void;
  /** Every known path below `folder/` may have changed or gone: look at each again. */
  onFolderStale(folder: string): void;
  /** Compare the whole folder with what is known; resolves when done. */
  onResync(reason: string): Promise<void>;
  /** Shortest time between two comparisons when polling (default 5 s). */
  pollMs?: number;
  /** How often the articles folder itself is checked (default 1 s). */
  rootCheckMs?: number;
  /**
   * Shortest time between two safety comparisons while an engine watches (default 60 s; the
   * actual gap is at least 20 times what the last comparison took). Native engines coalesce the
   * events of a batch per path, and some sequences come out as nothing at all (a file renamed
   * over another and moved away within one batch): a comparison bounds how long that can last.
   */
  verifyMs?: number;
}

export interface ChangeFeed {
  /** Resolves once the engine reports changes (or polling has taken over). */
  ready: Promise<void>;
  /** `native`, `chokidar` or `polling`. */
  readonly mode: string;
  close(): Promise<void>;
}

/** Longer than the native engine's longest batch of events (500 ms in @parcel/watcher). */
const RECHECK_MS = 1000;

/** Shortest time between two safety comparisons while changes arrive. */
const ACTIVE_VERIFY_MS = 2000;

export function startChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { dir, log, pollMs = 5000, rootCheckMs = 1000, verifyMs = 60_000 } = options;
  let subscription: WatchSubscription | undefined;
  let mode = options.engine?.name ?? 'polling';
  let closed = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let rootId: string | undefined;
  let rootGone = false;

  const inspect = async (path: string) => {
    const info = await lstat(join(dir, ...path.split('/'))).catch(() => undefined);
    // A folder arrived, or changed as a whole (removed and made again, or replaced by a file,
    // within one batch of the native engine comes as one update): whatever was known below it
    // is looked at again.
    options.onFolderStale(path);
    if (!info?.isDirectory()) return;
    // What it holds now is watched and read (twice around the adoption, so nothing in between
    // is missed).
    const first = await walkArticles(dir, path).catch(() => undefined);
    if (!first) return;
    await subscription?.adopt(path, first.folders);
    const second = await walkArticles(dir, path).catch(() => first);
    const found = new Set([...first.files, ...second.files]);
    for (const file of found) options.onPath(file);
    // The native engine drops a file created and deleted within one batch of events (up to half
    // a second): one read here in between would stay published with no event to remove it. Look
    // again once that batch has surely been delivered.
    if (found.size > 0) {
      setTimeout(() => {
        if (!closed) for (const file of found) options.onPath(file);
      }, RECHECK_MS).unref();
    }
  };

  let resyncing: Promise<void> | undefined;
  let resyncAgain = false;
  const resync = (reason: string): Promise<void> => {
    if (resyncing) {
      resyncAgain = true;
      return resyncing;
    }
    resyncing = options.onResync(reason).finally(() => {
      resyncing = undefined;
      if (resyncAgain && !closed) {
        resyncAgain = false;
        void resync('changes during the last comparison');
      }
    });
    return resyncing;
  };

  const sink: WatchSink = {
    changed(path) {
      active = true;
      if (closed || isIgnored(path)) return;
      if (isArticlePath(path)) options.onPath(path);
      else void inspect(path);
    },
    deleted(path) {
      active = true;
      if (closed || isIgnored(path)) return;
      if (path === '') return void checkRoot();
      options.onFolderStale(path);
      if (isArticlePath(path)) options.onPath(path);
    },
    resync(reason, quiet = false) {
      if (closed) return;
      if (!quiet) log(`events may have been lost (${reason}): comparing the folder`, 'warn');
      void resync(reason);
    },
  };

  const poll = () => {
    if (closed) return;
    const started = performance.now();
    void resync('polling').finally(() => {
      const took = performance.now() - started;
      if (!closed && mode === 'polling') pollTimer = setTimeout(poll, Math.max(pollMs, took * 10)).unref();
    });
  };

  // @parcel/watcher drops a path created (or renamed over) and deleted within one batch from that
  // batch altogether, although the file it replaced is gone: a batch with other events in it says
  // nothing of it. So while events arrive, the safety comparison runs soon after them (every few
  // seconds, never costing more than a twentieth of the time), and once a minute when all is quiet.
  let active = false;
  let lastCompared = performance.now();
  /** Twenty times what the last comparison took: comparisons never cost more than a twentieth of the time. */
  let spacing = 0;
  let verifyTimer: ReturnType<typeof setTimeout> | undefined;
  const verify = (waitMs: number) => {
    clearTimeout(verifyTimer);
    verifyTimer = setTimeout(() => {
      if (closed || mode === 'polling' || !subscription) return;
      const since = performance.now() - lastCompared;
      const due = active ? Math.max(ACTIVE_VERIFY_MS, spacing) : Math.max(verifyMs, spacing);
      if (since < due) return verify(Math.min(due - since, ACTIVE_VERIFY_MS));
      active = false;
      const started = performance.now();
      void resync('safety comparison').finally(() => {
        lastCompared = performance.now();
        spacing = (lastCompared - started) * 20;
        verify(ACTIVE_VERIFY_MS);
      });
    }, waitMs).unref();
  };

  const startEngine = async () => {
    if (!options.engine) return startPolling();
    try {
      subscription = await options.engine.start(dir, sink);
      mode = options.engine.name;
      verify(Math.min(verifyMs, ACTIVE_VERIFY_MS));
    } catch (error) {
      const reason = errorMessage(error);
      if (isWatchLimitError(error)) {
        log(`cannot watch ${dir}: the system's limit on file watches is reached (${reason}). Raise it with ` +
          '`sudo sysctl fs.inotify.max_user_watches=524288` (and fs.inotify.max_user_instances), made permanent in /etc/sysctl.d/. ' +
          `Meanwhile the folder is compared every ${Math.round(pollMs / 1000)} s or more`, 'warn');
      } else {
        log(`cannot watch ${dir} with the ${options.engine.name} engine (${reason}): comparing the folder every ${Math.round(pollMs / 1000)} s or more instead`, 'warn');
      }
      startPolling();
    }
  };
  const startPolling = () => {
    mode = 'polling';
    pollTimer = setTimeout(poll, pollMs).unref();
  };

  // The articles folder itself: removed or renamed away, the last articles stay served until it
  // is back; replaced (a new folder at the same path), it is watched anew and compared.
  const identity = async () => {
    const info = await stat(dir).catch(() => undefined);
    return info?.isDirectory() ? `${info.dev}:${info.ino}` : undefined;
  };
  const checkRoot = async () => {
    if (closed) return;
    const now = await identity();
    if (now === rootId && !rootGone) return;
    if (now === undefined) {
      if (rootGone) return;
      rootGone = true;
      log(`the articles folder ${dir} is gone: keeping the last articles until it is back`, 'warn');
      await subscription?.close();
      subscription = undefined;
      return;
    }
    rootGone = false;
    rootId = now;
    log(`the articles folder ${dir} is back (or was replaced): watching it anew`);
    await subscription?.close();
    subscription = undefined;
    clearTimeout(pollTimer);
    await startEngine();
    await resync('articles folder replaced');
  };
  const rootTimer = setInterval(() => void checkRoot(), rootCheckMs);
  rootTimer.unref();

  const ready = (async () => {
    rootId = await identity();
    await startEngine();
  })();

  return {
    ready,
    get mode() {
      return mode;
    },
    async close() {
      closed = true;
      clearInterval(rootTimer);
      clearTimeout(pollTimer);
      clearTimeout(verifyTimer);
      await ready.catch(() => undefined);
      await subscription?.close();
      await resyncing?.catch(() => undefined);
    },
  };
}
