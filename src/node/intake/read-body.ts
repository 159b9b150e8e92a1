// An article's body and summary, read from its file again when served: the lean store keeps neither.
// The same open rules as the intake's reads (no symlink out of the folder), and the same parse.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { parseArticle } from '../../article/parse.ts';
import type { ParseOptions } from '../../article/types.ts';
import { openFollowingInside, readAll } from './read-file.ts';

export interface ReadContent {
  /** The sanitised HTML body the file gives now. */
  html: string;
  /** Its summary. */
  summary: string;
  /** SHA-256 of the bytes read, as the intake's records name versions. */
  hash: string;
}

/**
 * Reads and parses the file at `path` (relative, POSIX separators) inside the real folder `dir`.
 * Undefined when it is gone, unreadable, too large or no longer parses: the caller serves without
 * the body, and the intake, which watches the file, will bring the store up to date.
 */
export function readArticleContent(dir: string, path: string, parseOptions: ParseOptions): ReadContent | undefined {
  let fd: number;
  try {
    fd = openFollowingInside(join(dir, ...path.split('/')), dir);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > parseOptions.maxBytes) return undefined;
    const bytes = readAll(fd, info.size);
    const parsed = parseArticle({ path, bytes, mtime: info.mtime }, parseOptions);
    if (!parsed.ok) return undefined;
    return { html: parsed.article.html, summary: parsed.article.summary, hash: createHash('sha256').update(bytes).digest('hex') };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
