// What a watch engine does for the intake: report paths that changed, in any order and as often
// as it likes. The change feed (change-feed.ts) turns that into reads; engines stay thin.
import { errorMessage } from '../../../errors.ts';

export interface WatchSink {
  /** Something at `path` (relative, POSIX separators) appeared or changed: a file or a folder. */
  changed(path: string): void;
  /** Something at `path` went away: a file, or a folder and everything under it. */
  deleted(path: string): void;
  /**
   * Events may have been lost (a queue overflow, an engine error): compare the folder. `quiet`
   * for the expected case that needs no log line.
   */
  resync(reason: string, quiet?: boolean): void;
}

export interface WatchSubscription {
  /**
   * A folder appeared with these sub-folders already in it (renamed in, `mkdir -p`): make sure
   * changes under all of them are reported from now on. Resolves once they are.
   */
  adopt(folder: string, subfolders: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export interface WatchEngine {
  /** `native` or `chokidar`, for the start-up line. */
  readonly name: string;
  /** Starts reporting changes under `dir` (a real path). Rejects when the folder cannot be watched. */
  start(dir: string, sink: WatchSink): Promise<WatchSubscription>;
}

/** True for errors that mean the system's limit on watches (or open files) was reached. */
export function isWatchLimitError(error: unknown): boolean {
  const text = `${(error as NodeJS.ErrnoException | undefined)?.code ?? ''} ${errorMessage(error)}`;
  return /ENOSPC|EMFILE|ENFILE|no space left|too many open files|max_user_watches|inotify_add_watch/i.test(text);
}
