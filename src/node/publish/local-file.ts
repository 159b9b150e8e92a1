// A local file as `wirefeed publish` sends it (bytes and mtime), and whether the server's copy is
// the same one.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoredFile } from '../../publish/contract.ts';
import { sha256Hex } from '../../site/sha256.ts';

/** A file's bytes and mtime, as a PUT or a bulk line carries them. */
export interface LocalFile {
  bytes: Uint8Array;
  mtime: Date;
}

/** Reads `path` (relative, POSIX separators) under `dir`; undefined when it is gone or not a file. */
export async function readLocal(dir: string, path: string): Promise<LocalFile | undefined> {
  const file = join(dir, ...path.split('/'));
  try {
    const info = await stat(file);
    if (!info.isFile()) return undefined;
    // Stats#mtime is the mtime rounded to the millisecond: what the API carries, and what the
    // server's intake dates .txt files by (intake/read-file.ts, seenTimes).
    return { bytes: await readFile(file), mtime: info.mtime };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Same bytes, and the same mtime to the second (a .txt article is dated by it). */
export async function isSame(local: LocalFile, stored: StoredFile): Promise<boolean> {
  const second = (ms: number) => Math.floor(ms / 1000);
  return second(local.mtime.getTime()) === second(Date.parse(stored.mtime)) && (await sha256Hex(local.bytes)) === stored.sha256;
}
