// The public URL scheme, in one place: every link the app prints is built here.
import type { SiteConfig } from './config.ts';
import type { TermKind } from '../store/terms.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';

/** `/`, or `/{section}/` for a section. */
export function pagePath(section?: string): string {
  return section === undefined ? '/' : `/${section}/`;
}

/** `/rss.xml`, or `/{section}/rss.xml` for a section: the format's file (feed/formats.ts) under the page's folder. */
export function feedPath(format: FeedFormat, section?: string): string {
  return `${pagePath(section)}${FORMAT_DEFINITIONS[format].file}`;
}

/** Every format's file name as a regular-expression alternation, for matching feed paths: `rss\.xml|atom\.xml|…`. */
export const FEED_FILE_PATTERN = FEED_FORMATS.map((format) => FORMAT_DEFINITIONS[format].file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

export function articlePath(section: string, slug: string): string {
  return `/${section}/${slug}`;
}

/** A media file's URL path: its path inside the articles folder, each segment percent-encoded. */
export function mediaPath(path: string): string {
  return `/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Absolute URL for a path from the functions above. */
export function absolute(site: SiteConfig, path: string): string {
  return `${site.baseUrl}${path}`;
}

/**
 * The path part of BASE_URL as it is written in URLs (`/news` for https://example.com/news),
 * or '' when the site is at the root of its host.
 */
export function basePathOf(site: SiteConfig): string {
  const path = new URL(site.baseUrl).pathname;
  return path === '/' ? '' : path.replace(/\/+$/, '');
}

/**
 * `target` (a path, perhaps with a query) without the base path in front, when it starts with
 * it: `/news/politics/` and `/news?x` give `/politics/` and `/?x` for the base path `/news`;
 * any other target comes back as it is. This is how the app answers both a proxy that passes
 * the prefix through and one that strips it ("prefix first": see README, Proxies and sub-paths).
 */
export function stripBasePath(target: string, basePath: string): string {
  if (basePath === '' || !target.startsWith(basePath)) return target;
  const next = target.charCodeAt(basePath.length);
  // End of the target, "/" or "?": a whole segment, not `/newsroom` under `/news`.
  if (Number.isNaN(next)) return '/';
  if (next === 0x2f) return target.slice(basePath.length);
  if (next === 0x3f) return `/${target.slice(basePath.length)}`;
  return target;
}

/**
 * The sections a proxy that strips `basePath` cannot reach: their slug is its first segment, so
 * their URLs arrive looking like prefixed ones (see stripBasePath). Passing the prefix through
 * reaches them.
 */
export function sectionsHiddenByBasePath(basePath: string, slugs: readonly string[]): string[] {
  const first = basePath.split('/')[1];
  return first === undefined ? [] : slugs.filter((slug) => slug === first);
}

/** The folder a tag's or an author's pages live under: `/tags/…`, `/authors/…`. */
export const TERM_FOLDERS: Record<TermKind, string> = { tag: 'tags', author: 'authors' };

/** `/tags/` or `/authors/`: every tag or author; with `slug`, `/tags/{slug}/`: one of them. */
export function termPath(kind: TermKind, slug?: string): string {
  return slug === undefined ? `/${TERM_FOLDERS[kind]}/` : `/${TERM_FOLDERS[kind]}/${slug}/`;
}

/** `/tags/{slug}/rss.xml` and the like. */
export function termFeedPath(format: FeedFormat, kind: TermKind, slug: string): string {
  return `${termPath(kind, slug)}${FORMAT_DEFINITIONS[format].file}`;
}

/**
 * The subscription lists (http/opml-lists.ts): every section's feed once (the default), every tag's, every
 * author's, and the combined feed alone.
 */
export const OPML_FILES = { sections: '/feeds.opml', tag: '/tags.opml', author: '/authors.opml', all: '/all.opml' } as const;
