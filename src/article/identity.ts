// Who an article is: its normalised path, slugs and the stable `tag:` id (RFC 4151).
import slugify from '@sindresorhus/slugify';
import { reject } from './reject.ts';

// The tag date is fixed: a tag URI must never change once minted (RFC 4151 §2.1).
const TAG_DATE = '2026';

// RFC 3987 scheme followed by ':' and no whitespace: `urn:…`, `https://…`, `tag:…`.
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/u;

const encoder = new TextEncoder();

/** Splits a path into segments, dropping empty and `.` ones; `..` is refused. */
export function pathSegments(path: string): string[] {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) reject('path leaves the articles folder (`..` segment)');
  return segments;
}

/** The folder directly under the articles folder, or undefined for a top-level file. */
export function topFolder(segments: readonly string[]): string | undefined {
  return segments.length > 1 ? segments[0] : undefined;
}

/** 32-bit FNV-1a of the UTF-8 bytes as 8 hex digits: a tiny, stable, runtime-free hash. */
export function fnv1aHex(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const MAX_SLUG = 80;

function slug(text: string): string {
  // decamelize off: a file called `iPhoneReview.md` should not become `i-phone-review`.
  const full = slugify(text, { decamelize: false });
  if (full.length <= MAX_SLUG) return full;
  // A 20 KB section line must not become a 20 KB URL; the hash keeps long names apart.
  return `${full.slice(0, MAX_SLUG - 9).replace(/-+$/, '')}-${fnv1aHex(full)}`;
}

/** Folded URL-safe slug of a section name: `Politics`, ` politics `, `POLITICS` → `politics`. */
export function sectionSlug(name: string): string {
  const trimmed = name.trim();
  return slug(trimmed) || fnv1aHex(trimmed.normalize('NFC').toLowerCase());
}

/**
 * Slug of the file's base name without extension, or a hash of the path when nothing survives.
 * A leading date (`2026-12-04-talks`) stays in the slug even though it now dates the article
 * (article-dates.ts): slugs and ids of articles already published must not change.
 */
export function fileSlug(segments: readonly string[]): string {
  const base = segments.at(-1) ?? '';
  const dot = base.lastIndexOf('.');
  return slug(dot > 0 ? base.slice(0, dot) : base) || fnv1aHex(segments.join('/'));
}

/** The article's id: a front-matter absolute IRI as is, else a `tag:` URI that ignores the title. */
export function articleId(segments: readonly string[], idAuthority: string, custom?: string): string {
  if (custom !== undefined && ABSOLUTE_IRI.test(custom)) return custom;
  const specific =
    custom !== undefined ? `id/${encodeURIComponent(custom)}` : segments.map(encodeURIComponent).join('/');
  return `tag:${idAuthority},${TAG_DATE}:${specific}`;
}
