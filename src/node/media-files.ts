// Media files read from the articles folder: the same open rules as articles (no symlink out of
// the folder, see intake/read-file.ts), streamed from disk, with each file's SHA-256 computed once
// per version (inode, size, mtime) and kept.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isMediaPath, mediaType, type MediaInfo, type MediaSource } from '../site/media-types.ts';
import { openFollowingInside } from './intake/read-file.ts';
import { byPath, walkFolder } from './intake/walk.ts';

const HASHES_KEPT = 10_000;

/** A MediaSource over the real folder `dir` (realpath'd); files over `maxBytes` are not hashed. */
export function createFolderMediaSource(dir: string, maxBytes: number): MediaSource {
  const hashes = new Map<string, { version: string; sha256: string }>();

  function open(path: string): { fd: number; stats: Stats } | undefined {
    if (!isMediaPath(path)) return undefined;
    let fd: number;
    try {
      fd = openFollowingInside(join(dir, ...path.split('/')), dir);
    } catch {
      return undefined;
    }
    const stats = fstatSync(fd);
    if (stats.isFile()) return { fd, stats };
    closeSync(fd);
    return undefined;
  }

  return {
    async info(path) {
      const opened = open(path);
      if (opened === undefined) return undefined;
      const { fd, stats } = opened;
      const info: MediaInfo = { size: stats.size, type: mediaType(path)!, sha256: '', lastModified: stats.mtime };
      if (stats.size > maxBytes) {
        closeSync(fd);
        return info;
      }
      const version = versionOf(stats);
      const known = hashes.get(path);
      if (known?.version === version) {
        closeSync(fd);
        return { ...info, sha256: known.sha256 };
      }
      // The stream closes the descriptor when it ends or fails.
      const sha256 = await hashOf(fd);
      if (sha256 === undefined) return undefined;
      if (hashes.size >= HASHES_KEPT) hashes.clear();
      hashes.set(path, { version, sha256 });
      return { ...info, sha256 };
    },
    async body(path, info, range) {
      const opened = open(path);
      if (opened === undefined) return undefined;
      const { fd, stats } = opened;
      if (stats.size !== info.size || stats.mtime.getTime() !== info.lastModified.getTime() || hashes.get(path)?.sha256 !== info.sha256) {
        closeSync(fd);
        return undefined;
      }
      const stream = createReadStream('', { fd, start: range?.start ?? 0, end: range?.end ?? Math.max(0, stats.size - 1), autoClose: true });
      if (stats.size === 0) {
        stream.destroy();
        return new ReadableStream({ start: (controller) => controller.close() });
      }
      return Readable.toWeb(stream) as ReadableStream<Uint8Array>;
    },
  };
}

function versionOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function hashOf(fd: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    createReadStream('', { fd, autoClose: true })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', () => resolve(undefined))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * Every media path in the folder `dir` (allowed extension, no dot-names), sorted; files and
 * symlinks alike (serving decides whether a symlink stays inside). Unreadable sub-folders are skipped.
 */
export async function listMediaFiles(dir: string): Promise<string[]> {
  return (await walkFolder(dir, isMediaPath)).files.sort(byPath);
}
