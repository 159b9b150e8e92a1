// The shapes of the persisted intake index (src/node/intake/state/intake-state.ts): what one file gave, and
// the JSON-safe form of an article that the journal holds.
import type { LogLine } from '../../logger.ts';
import type { ArticleMeta } from '../../../article/types.ts';

/**
 * An article without its body, dates as epoch ms (`null` for an invalid `Date`), safe for JSON.
 * The body is not kept: it is read from the file again when it is served (the lean store).
 */
export type StoredArticle = Omit<ArticleMeta, 'publishedAt' | 'updatedAt' | 'contentHash'> & {
  publishedAt: number | null;
  updatedAt: number | null;
};

/** What one article file gave, as the intake last read it. */
export interface FileRecord {
  /** Relative, POSIX separators. */
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Hex content hash (sha-256 or similar; an opaque string here). */
  hash: string;
  /** Epoch ms, when wirefeed first saw the path. */
  firstSeenAt: number;
  /** Epoch ms, when the content (hash) last changed after first seen. */
  changedAt: number | null;
  /** The parsed article (JSON-safe form), or the reason it was rejected. */
  result: { ok: true; article: StoredArticle } | { ok: false; reason: string };
}

export interface StateOptions {
  /** The state folder (created if missing, with parents). */
  dir: string;
  /**
   * Everything that changes parsed output: parser version, BASE_URL, ID_AUTHORITY,
   * DEFAULT_SECTION, MAX_FILE_BYTES... Any difference from the stored one = start over.
   */
  fingerprint: Record<string, string | number | boolean>;
  log: LogLine;
  /** Longest a change waits in memory before it is appended (default 150 ms). */
  batchMs?: number;
  /** Pending changes that trigger an append at once (default 200). */
  batchRecords?: number;
  /** Dead lines must exceed both the live count and this before the journal is compacted (default 1000). */
  compactFloor?: number;
}

export interface PersistedState {
  readonly records: ReadonlyMap<string, FileRecord>;
  /**
   * In memory at once, appended to the journal soon (batched). `line`, when given, is the
   * record's journal line already encoded (`encodeRecordLine`): reader threads make it, so the
   * main thread does not serialise every article it takes in.
   */
  set(record: FileRecord, line?: Uint8Array): void;
  delete(path: string): void;
  /** Resolves once everything set/deleted so far is written to the OS (and fsynced). */
  flush(): Promise<void>;
  /** Flush, finish any compaction, close the journal and release the lock. */
  close(): Promise<void>;
}

export interface OpenedState {
  state: PersistedState;
  /**
   * 'loaded' = records are trustworthy; otherwise they are empty and a full scan is needed;
   * `reason` is the one log line's text.
   */
  status: 'loaded' | 'new' | 'mismatch' | 'corrupt';
  reason?: string;
}
