// One article file, read and parsed: the work the initial scan hands to worker threads and the
// watcher does in-process. Synchronous on purpose: in a worker thread a blocking call is cheaper
// than a trip through libuv's pool, and four calls (open, fstat, read, close) replace six.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { oversizeReason, parseArticle } from '../../article/parse.ts';
import type { ArticleSource, ParseOptions } from '../../article/types.ts';
import { settleDelay } from './settle.ts';
import { encodeRecordLine } from './state/journal-line.ts';
import { toStoredArticle, type FileRecord } from './state/intake-state.ts';

/** What the intake knew of a file before: enough to skip an unchanged file and to keep its dates. */
export type KnownFile = Pick<FileRecord, 'size' | 'mtimeMs' | 'ino' | 'hash' | 'firstSeenAt' | 'changedAt'>;

/** Just what a reader needs of a record: a thread is sent this, never the parsed article. */
export function knownOf(record: FileRecord | undefined): KnownFile | undefined {
  if (record === undefined) return undefined;
  const { size, mtimeMs, ino, hash, firstSeenAt, changedAt } = record;
  return { size, mtimeMs, ino, hash, firstSeenAt, changedAt };
}

export type FileOutcome =
  /** No file there (any more), or a folder. */
  | { path: string; kind: 'gone' }
  /** Modified within the settle window: look again in `waitMs`. */
  | { path: string; kind: 'young'; waitMs: number }
  /** Same size, mtime and inode as `known`: nothing was read. */
  | { path: string; kind: 'same' }
  /** Could not be read (permissions, a symlink leading out): the reason, no record. */
  | { path: string; kind: 'failed'; reason: string }
  /** Read and parsed (or rejected by the parser): the new record, and its journal line. */
  | { path: string; kind: 'read'; record: FileRecord; line: Uint8Array };

export interface ReadOptions {
  /** Real path of the articles folder. */
  dir: string;
  parseOptions: ParseOptions;
  settleMs: number;
}

/**
 * Reads `path` unless it is too fresh or unchanged since `known`. Never throws. `now` defaults to
 * the clock just after the file's stat: a time taken earlier (once per batch, say) is older than
 * a file written meanwhile, whose mtime then looks like clock skew and passes the settle rule.
 */
export function readArticleFile(path: string, known: KnownFile | undefined, options: ReadOptions, clock?: number): FileOutcome {
  const file = join(options.dir, ...path.split('/'));
  if (isUnchanged(options.dir, path, known)) return { path, kind: 'same' };
  let fd: number;
  try {
    fd = openFollowingInside(file, options.dir);
  } catch (error) {
    return failure(path, error);
  }
  try {
    const info = fstatSync(fd);
    const now = clock ?? Date.now();
    if (!info.isFile()) return { path, kind: 'gone' };
    const waitMs = settleDelay(info.mtimeMs, options.settleMs, now);
    if (waitMs > 0) return { path, kind: 'young', waitMs };
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino) return { path, kind: 'same' };
    const stat = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
    if (info.size > options.parseOptions.maxBytes) {
      const hash = `size:${info.size}`;
      return readOutcome({ path, ...stat, hash, ...seenTimes(known, hash, info.mtimeMs, now), result: { ok: false, reason: oversizeReason(info.size, options.parseOptions.maxBytes) } });
    }
    const bytes = readAll(fd, info.size);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const seen = seenTimes(known, hash, info.mtimeMs, now);
    const source: ArticleSource = {
      path,
      bytes,
      mtime: info.mtime,
      firstSeenAt: new Date(seen.firstSeenAt),
      ...(seen.changedAt === null ? {} : { changedAt: new Date(seen.changedAt) }),
    };
    const parsed = parseArticle(source, options.parseOptions);
    const result = parsed.ok ? { ok: true as const, article: toStoredArticle(parsed.article) } : { ok: false as const, reason: parsed.error.reason };
    return readOutcome({ path, ...stat, hash, ...seen, result });
  } catch (error) {
    return failure(path, error);
  } finally {
    closeSync(fd);
  }
}

/**
 * The dates rule's memory (README "Dates"): a path is first seen at its modification time (never
 * later than now), kept for as long as the path exists; the content "changed" when its hash
 * differs from the one recorded, at the new modification time. Times are rounded to the
 * millisecond as Node's Stats#mtime is: `wirefeed publish` sends that, and a whole millisecond
 * set with utimes may read back as x.9999 ms, which truncating would date a millisecond early.
 */
export function seenTimes(known: KnownFile | undefined, hash: string, mtimeMs: number, now: number): Pick<FileRecord, 'firstSeenAt' | 'changedAt'> {
  // Rounded as Node's Stats#mtime is, which `wirefeed publish` sends: both sides agree to the ms.
  const stamp = Math.min(Math.round(mtimeMs), now);
  if (!known) return { firstSeenAt: stamp, changedAt: null };
  if (known.hash === hash) return { firstSeenAt: known.firstSeenAt, changedAt: known.changedAt };
  return { firstSeenAt: known.firstSeenAt, changedAt: Math.max(known.firstSeenAt, stamp) };
}

/** Opens without following a symlink; a symlink is followed only when it stays inside `dir`. */
export function openFollowingInside(file: string, dir: string): number {
  try {
    return openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
  }
  const target = realpathSync(file);
  if (!target.startsWith(dir + sep)) throw new OutsideError();
  return openSync(target, constants.O_RDONLY);
}

/**
 * The outcome with its record decoded again from its journal line, for reads made on the main
 * thread. The parsed strings (title, id, slug...) are slices of the file's whole text, and V8
 * keeps that text alive for as long as any slice lives: kept in the store, they would hold every
 * article's full text in memory. Decoded from the line they are strings of their own (a worker's
 * outcomes get the same from being copied between threads).
 */
export function detached(outcome: FileOutcome): FileOutcome {
  if (outcome.kind !== 'read') return outcome;
  const json = Buffer.from(outcome.line.buffer, outcome.line.byteOffset + 9, outcome.line.byteLength - 10).toString('utf8');
  return { ...outcome, record: (JSON.parse(json) as { set: FileRecord }).set };
}

function readOutcome(record: FileRecord): FileOutcome {
  return { path: record.path, kind: 'read', record, line: encodeRecordLine(record) };
}

class OutsideError extends Error {}

/** True when the file at `path` has the size, mtime and inode `known` records: one lstat. */
export function isUnchanged(dir: string, path: string, known: KnownFile | undefined): boolean {
  if (known === undefined) return false;
  const info = lstatSync(join(dir, ...path.split('/')), { throwIfNoEntry: false });
  return info !== undefined && info.isFile() && info.size === known.size && info.mtimeMs === known.mtimeMs && info.ino === known.ino;
}

export function readAll(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const count = readSync(fd, buffer, filled, size - filled, filled);
    if (count === 0) break;
    filled += count;
  }
  return filled === size ? buffer : buffer.subarray(0, filled);
}

function failure(path: string, error: unknown): FileOutcome {
  if (error instanceof OutsideError) return { path, kind: 'failed', reason: 'symlink points outside the articles folder' };
  const code = (error as NodeJS.ErrnoException).code;
  // Gone between the event and the read (or a folder on its path became a file): a removal.
  if (code === 'ENOENT' || code === 'ENOTDIR') return { path, kind: 'gone' };
  // The code, never the message: Node's messages carry the absolute path, which /status shows.
  return { path, kind: 'failed', reason: `cannot read the file (${code ?? 'unknown error'})` };
}
