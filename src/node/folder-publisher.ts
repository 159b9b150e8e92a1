// The publish API's Publisher on Node: files land in the articles folder, atomically and with
// the uploaded modification time, and the watcher publishes them as if they had been copied in.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, realpath, rename, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { oversizeReason, parseArticle } from '../article/parse.ts';
import type { ParseOptions } from '../article/types.ts';
import { walkArticles } from './intake/walk.ts';
import { sha256Hex } from '../site/sha256.ts';
import { comparePaths, type ListPage, type MediaPublisher, type PublishOutcome, type Publisher, type StoredFile, type UploadedFile } from '../publish/contract.ts';
import { lowerBound } from '../store/sorted.ts';
import { listMediaFiles } from './media-files.ts';

export interface FolderPublisherOptions {
  /** The articles folder (the one the watcher watches). */
  dir: string;
  /** The watcher's parse options: a file is parsed before it is written, so a bad one never lands. */
  parseOptions: ParseOptions;
}

const LIST_CONCURRENCY = 16;
/** Files of one bulk upload written at a time (each one atomically, as a single PUT). */
const PUT_CONCURRENCY = 8;
/** How long the walk behind a paged listing serves the pages after the first. */
const SNAPSHOT_MS = 60_000;
/**
 * A Publisher over the articles folder. It never writes outside `dir`: paths are resolved
 * against the folder's real path, and a symlinked folder that leads out of it is refused.
 * @example
 * const publisher = createFolderPublisher({ dir: './articles', parseOptions });
 */
export function createFolderPublisher({ dir, parseOptions }: FolderPublisherOptions): Publisher & { media: MediaPublisher } {
  let rootPromise: Promise<string> | undefined;
  const root = () => (rootPromise ??= realpath(dir));
  const hashes = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

  /**
   * Absolute path of `path` inside the folder, creating its folders when `create` is set; a reason
   * instead when a folder on the way leads outside (a symlink) or is a file.
   */
  async function locate(path: string, create: boolean): Promise<{ target: string } | { reason: string }> {
    const base = await root();
    const target = join(base, ...path.split('/'));
    if (!target.startsWith(base + sep)) return { reason: 'path leads outside the articles folder' };
    const parent = dirname(target);
    const existing = await deepestExisting(parent, base);
    const real = await realpath(existing);
    if (real !== base && !real.startsWith(base + sep)) return { reason: 'a folder on the path leads outside the articles folder' };
    if (!(await stat(real)).isDirectory()) return { reason: 'a file is in the way of a folder on the path' };
    if (existing === parent) return { target };
    if (!create) return { reason: 'no such folder' };
    try {
      await mkdir(parent, { recursive: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') return { reason: 'a file is in the way of a folder on the path' };
      throw error;
    }
    return { target };
  }

  async function put(path: string, bytes: Uint8Array, mtime: Date): Promise<PublishOutcome> {
    if (bytes.byteLength > parseOptions.maxBytes) {
      return { ok: false, status: 413, reason: oversizeReason(bytes.byteLength, parseOptions.maxBytes) };
    }
    const parsed = parseArticle({ path, bytes, mtime }, parseOptions);
    if (!parsed.ok) return { ok: false, status: 422, reason: parsed.error.reason };
    const located = await locate(path, true);
    if (!('target' in located)) return { ok: false, status: 422, reason: located.reason };
    const { target } = located;
    const before = await lstat(target).catch(() => undefined);
    if (before?.isDirectory()) return { ok: false, status: 422, reason: 'a folder of that name exists' };
    if (before?.isFile() && before.size === bytes.byteLength && Math.trunc(before.mtimeMs) === mtime.getTime()) {
      if (Buffer.from(bytes).equals(await readFile(target))) return { ok: true, change: 'unchanged' };
    }
    // A dotfile in the same folder: the watcher ignores it, and the rename is atomic.
    const temp = join(dirname(target), `.${target.slice(dirname(target).length + 1)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await utimes(temp, ...fileTimes(mtime));
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    const after = await lstat(target);
    hashes.set(path, { mtimeMs: after.mtimeMs, size: after.size, sha256: await sha256Hex(bytes) });
    return { ok: true, change: before ? 'updated' : 'created' };
  }

  async function remove(path: string): Promise<boolean> {
    const located = await locate(path, false);
    if (!('target' in located)) return false;
    const { target } = located;
    const info = await lstat(target).catch(() => undefined);
    if (!info || info.isDirectory()) return false;
    await unlink(target);
    hashes.delete(path);
    await pruneEmptyFolders(dirname(target), await root());
    return true;
  }

  /** The folder's paths in listing order, from the walk that served the first page (for a minute), or a new one. */
  let snapshot: { paths: string[]; at: number } | undefined;
  async function sortedPaths(base: string, fresh: boolean): Promise<string[]> {
    if (fresh || !snapshot || Date.now() - snapshot.at > SNAPSHOT_MS) {
      const paths = (await walkArticles(base)).files.sort(comparePaths);
      snapshot = { paths, at: Date.now() };
      const present = new Set(paths);
      for (const path of hashes.keys()) if (!present.has(path)) hashes.delete(path);
    }
    return snapshot.paths;
  }

  async function list(page?: ListPage): Promise<StoredFile[]> {
    const base = await root();
    const all = await sortedPaths(base, page?.after === undefined);
    const at = page?.after === undefined ? 0 : lowerBound(all, page.after, comparePaths);
    const start = page?.after !== undefined && all[at] === page.after ? at + 1 : at;
    const paths = page ? all.slice(start, start + page.limit) : all;
    const found: (StoredFile | undefined)[] = new Array(paths.length);
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const index = next++;
        found[index] = await describe(base, paths[index]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, paths.length) }, worker));
    return found.filter((file) => file !== undefined);
  }

  async function putMany(files: readonly UploadedFile[]): Promise<PublishOutcome[]> {
    const outcomes: PublishOutcome[] = new Array(files.length);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const index = next++;
        const { path, bytes, mtime } = files[index]!;
        outcomes[index] = await put(path, bytes, mtime);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, files.length) }, worker));
    return outcomes;
  }

  /** One file's entry; its hash is cached by path, mtime and size. */
  async function describe(base: string, path: string): Promise<StoredFile | undefined> {
    const file = join(base, ...path.split('/'));
    try {
      const info = await lstat(file);
      if (!info.isFile()) return undefined;
      let cached = hashes.get(path);
      if (!cached || cached.mtimeMs !== info.mtimeMs || cached.size !== info.size) {
        cached = { mtimeMs: info.mtimeMs, size: info.size, sha256: await sha256Hex(await readFile(file)) };
        hashes.set(path, cached);
      }
      return { path, sha256: cached.sha256, size: info.size, mtime: new Date(info.mtimeMs).toISOString() };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** A media file: written like an article (atomically, never outside the folder), without parsing. */
  async function putMedia(path: string, bytes: Uint8Array): Promise<PublishOutcome> {
    const located = await locate(path, true);
    if (!('target' in located)) return { ok: false, status: 422, reason: located.reason };
    const { target } = located;
    const before = await lstat(target).catch(() => undefined);
    if (before?.isDirectory()) return { ok: false, status: 422, reason: 'a folder of that name exists' };
    if (before?.isFile() && before.size === bytes.byteLength && Buffer.from(bytes).equals(await readFile(target))) {
      return { ok: true, change: 'unchanged' };
    }
    const temp = join(dirname(target), `.${target.slice(dirname(target).length + 1)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, bytes, { flag: 'wx' });
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    return { ok: true, change: before ? 'updated' : 'created' };
  }

  async function listMedia(): Promise<StoredFile[]> {
    const base = await root();
    const files: StoredFile[] = [];
    for (const path of await listMediaFiles(base)) {
      const file = await describe(base, path);
      if (file) files.push(file);
    }
    return files;
  }

  return { put, putMany, remove, list, media: { put: putMedia, remove, list: listMedia } };
}

/**
 * utimes takes seconds as a double, and 1746515289.123 is stored as …122.9999 ms, which the watcher
 * (a Date, truncated) would read as …122. Two microseconds more (over twice a double's step at
 * these magnitudes; the API accepts years 1970-2199) land inside the right millisecond.
 */
function fileTimes(mtime: Date): [number, number] {
  const seconds = mtime.getTime() / 1000 + 2e-6;
  return [seconds, seconds];
}

/** `folder` itself if it exists, else its nearest existing ancestor (never above `base`). */
async function deepestExisting(folder: string, base: string): Promise<string> {
  let current = folder;
  while (current !== base && !(await lstat(current).catch(() => undefined))) current = dirname(current);
  return current;
}

/** Removes empty folders from `folder` up to (not including) `base`. */
async function pruneEmptyFolders(folder: string, base: string): Promise<void> {
  for (let current = folder; current !== base && current.startsWith(base + sep); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
  }
}

