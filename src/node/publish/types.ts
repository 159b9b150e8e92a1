// What a `wirefeed publish` run is given and what it reports: shared by the sync passes, the
// watch loop and the command.

/** What one sync pass (or a `--watch` run) needs: the folder, the server, and how to report. */
export interface SyncOptions {
  /** The local articles folder. */
  dir: string;
  /** Base URL of the server; the API is at `<to>/api`. */
  to: string;
  token: string;
  concurrency?: number;
  dryRun?: boolean;
  allowEmpty?: boolean;
  /** Retries after the first attempt on network errors, 5xx and 429 (default 5). */
  retries?: number;
  /** First backoff step in ms, doubled per retry, with jitter (default 500). */
  retryBaseMs?: number;
  /** One line per upload, deletion or failure. */
  log?: (line: string) => void;
  /** Files per bulk request at most (default: the server's cap). */
  batchFiles?: number;
  /** `uploading 12/300`, for a terminal's single updating line. */
  progress?: (text: string) => void;
  signal?: AbortSignal;
}

/** How many files a run uploaded, deleted, found unchanged and failed on. */
export interface SyncSummary {
  uploaded: number;
  deleted: number;
  unchanged: number;
  failed: number;
}

/** What became of one file, and the line that says so. */
export type Outcome = { kind: 'uploaded' | 'unchanged' | 'deleted' | 'failed'; line: string };
