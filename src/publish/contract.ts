// The publish API's contract: what a runtime must supply to accept article files over HTTP.
// Node writes them into the articles folder (the watcher publishes); Workers put them in D1.
import { articleExtensionList } from '../article/formats.ts';
import { isArticlePath } from '../article/parse.ts';
import { isMediaPath, MEDIA_TYPES } from '../site/media-types.ts';

/** One stored article file, as `GET /api/articles` lists it for syncing. */
export interface StoredFile {
  /** Path inside the articles folder, POSIX separators. */
  path: string;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
  size: number;
  /** The file's modification time as last uploaded, ISO 8601; the first upload's one dates the article. */
  mtime: string;
}

export type PublishOutcome =
  | { ok: true; change: 'created' | 'updated' | 'unchanged' }
  | { ok: false; status: 413 | 422; reason: string };

/** One file of a bulk upload (src/publish/bulk.ts): its path is checked, and no path comes twice. */
export interface UploadedFile {
  path: string;
  bytes: Uint8Array;
  mtime: Date;
}

/** A page of the listing: files after `after` (exclusive), at most `limit` of them, in `comparePaths` order. */
export interface ListPage {
  after?: string;
  limit: number;
}

export interface Publisher {
  /** Stores one article file; `path` is already checked by `checkPublishPath`. */
  put(path: string, bytes: Uint8Array, mtime: Date): Promise<PublishOutcome>;
  /**
   * Stores many files (distinct paths) and answers each one's outcome, in order, as `put` would.
   * Optional: without it a bulk upload calls `put` per file.
   */
  putMany?(files: readonly UploadedFile[]): Promise<PublishOutcome[]>;
  /** Removes the file at `path`; false when there was none. */
  remove(path: string): Promise<boolean>;
  /** Every stored file sorted by path (`comparePaths`), or with `page` one page of them. */
  list(page?: ListPage): Promise<StoredFile[]>;
}

/**
 * Path order of the listing and of `wirefeed publish`'s merge: by Unicode code point, which is
 * also UTF-8 byte order, SQLite's (D1's) order for TEXT. Plain `<` (UTF-16 code units) differs
 * from it once a path holds characters beyond U+FFFF.
 */
export function comparePaths(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * What a runtime supplies to accept media files (images, audio, video) over HTTP: Node writes them
 * into the articles folder, Workers into the R2 bucket `MEDIA`. Paths are checked by `checkPublishPath(…, 'media')`.
 */
export interface MediaPublisher {
  put(path: string, bytes: Uint8Array): Promise<PublishOutcome>;
  remove(path: string): Promise<boolean>;
  /** Every stored media file, sorted by path (`mtime`: when it was stored). */
  list(): Promise<StoredFile[]>;
}

/**
 * Checks a path from a publish request: relative, inside the folder, an article file (or, with
 * `kind` 'media', a media file on the allow-list). Returns the path with POSIX separators, or a
 * reason for a 400.
 */
export function checkPublishPath(raw: string, kind: 'article' | 'media' = 'article'): { ok: true; path: string } | { ok: false; reason: string } {
  if (raw === '' || raw.startsWith('/') || /^[a-z]:/i.test(raw) || raw.includes('\\')) {
    return { ok: false, reason: 'path must be relative, with / between folders' };
  }
  const segments = raw.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment === '')) {
    return { ok: false, reason: 'path must not contain "..", "." or empty segments' };
  }
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'path must not contain control characters' };
  if (kind === 'media') {
    if (isMediaPath(raw)) return { ok: true, path: raw };
    return { ok: false, reason: `not a media file: use ${Object.keys(MEDIA_TYPES).join(', ')} (no SVG or HTML, no hidden files)` };
  }
  if (!isArticlePath(raw)) {
    return { ok: false, reason: `not an article file: use ${articleExtensionList()} (no hidden or temp files)` };
  }
  return { ok: true, path: raw };
}
