// The restart property's model (restart-state.test.ts): what each file must be served as after a
// restart, by the dates rule (README "Dates"), from what the server knew of each path before it
// stopped; and which of those records survive a damaged journal, by the journal's documented
// format (src/node/intake/state/): `<crc32> <json>` lines, a header first; a torn or bad last line is dropped and
// the rest loaded; a bad line with anything after it, or a bad header, means a full scan.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArticle } from '../../src/article/parse.ts';
import type { Article, ParseOptions } from '../../src/article/types.ts';
import { articleFiles } from './model-compare.ts';

/** What the server knew of a path: enough to apply the dates rule to the file found at restart. */
export interface Known {
  /** The mtime it was read at, rounded to the ms (Stats#mtime). */
  stamp: number;
  /** sha-256 of the bytes (the hash the journal keeps, README "State"). */
  hash: string;
  firstSeenAt: number;
  changedAt: number | null;
}

/** What a restart must serve: articles by path, rejections, and what it must know of each path. */
export interface Expected {
  articles: Map<string, Article>;
  rejected: Map<string, string>;
  known: Map<string, Known>;
}

/**
 * The dates rule on a real folder: a path is first seen at its mtime and keeps that for as long as
 * it is known; new content (another hash) is "changed" at its mtime, never before first seen.
 */
export async function expectAfterRestart(dir: string, known: ReadonlyMap<string, Known>, parseOptions: ParseOptions): Promise<Expected> {
  const expected: Expected = { articles: new Map(), rejected: new Map(), known: new Map() };
  for (const path of await articleFiles(dir)) {
    const file = join(dir, ...path.split('/'));
    const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
    const stamp = Math.round(info.mtimeMs);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const before = known.get(path);
    const firstSeenAt = before?.firstSeenAt ?? stamp;
    const changedAt = before === undefined ? null : before.hash === hash ? before.changedAt : Math.max(before.firstSeenAt, stamp);
    expected.known.set(path, { stamp, hash, firstSeenAt, changedAt });
    const result = parseArticle(
      { path, bytes, mtime: new Date(stamp), firstSeenAt: new Date(firstSeenAt), ...(changedAt === null ? {} : { changedAt: new Date(changedAt) }) },
      parseOptions,
    );
    if (result.ok) expected.articles.set(path, result.article);
    else expected.rejected.set(path, result.error.reason);
  }
  return expected;
}

export type Damage = { kind: 'truncate'; at: number } | { kind: 'flip'; at: number; xor: number };

/** `journal` damaged as `damage` says (`at` is a fraction of its length). */
export function damageJournal(journal: Buffer, damage: Damage): { bytes: Buffer; offset: number } {
  const offset = Math.min(journal.length - 1, Math.floor(damage.at * journal.length));
  if (damage.kind === 'truncate') return { bytes: journal.subarray(0, offset), offset };
  const bytes = Buffer.from(journal);
  bytes[offset] = bytes[offset]! ^ damage.xor;
  return { bytes, offset };
}

/**
 * The records a server must still trust after `damage` to `journal` (undefined: a full scan).
 * Lines end at each newline; line 0 is the header.
 */
export function survivingRecords(journal: Buffer, damage: Damage, offset: number): Map<string, Known> | undefined {
  const ends: number[] = [];
  for (let i = journal.indexOf(0x0a); i !== -1; i = journal.indexOf(0x0a, i + 1)) ends.push(i);
  const lines = ends.length;
  const lineAt = ends.findIndex((end) => end >= offset);
  let kept: number;
  if (damage.kind === 'truncate') {
    // Only whole lines before the cut; the cut one is a torn write.
    kept = lineAt;
  } else {
    const original = journal[offset]!;
    const now = original ^ damage.xor;
    if (original === 0x0a) {
      // Two lines become one bad line: dropped if it is the last one.
      if (lineAt === lines - 1) kept = lineAt;
      else if (lineAt === lines - 2) kept = lineAt;
      else return undefined;
    } else if (now === 0x0a) {
      // A bad line with more after it.
      return undefined;
    } else {
      if (lineAt !== lines - 1) return undefined;
      kept = lineAt;
    }
  }
  // Without a whole, good header nothing is trusted.
  if (kept < 1) return undefined;
  const records = new Map<string, Known>();
  let start = ends[0]! + 1;
  for (const end of ends.slice(1, kept)) {
    const text = journal.toString('utf8', start + 9, end);
    start = end + 1;
    const entry = JSON.parse(text) as { set?: { path: string; mtimeMs: number; hash: string; firstSeenAt: number; changedAt: number | null }; deleted?: string };
    if (entry.deleted !== undefined) records.delete(entry.deleted);
    else if (entry.set) {
      const { path, mtimeMs, hash, firstSeenAt, changedAt } = entry.set;
      records.set(path, { stamp: Math.round(mtimeMs), hash, firstSeenAt, changedAt });
    }
  }
  return records;
}
