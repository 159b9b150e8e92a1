// The public URL scheme, in one place: every link the app prints is built here.
import type { SiteConfig } from './config.ts';

export type FeedFormat = 'rss' | 'atom' | 'json';

export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

export const FEED_FILES: Record<FeedFormat, { file: string; contentType: string; label: string }> = {
  rss: { file: 'rss.xml', contentType: 'application/rss+xml; charset=utf-8', label: 'RSS' },
  atom: { file: 'atom.xml', contentType: 'application/atom+xml; charset=utf-8', label: 'Atom' },
  json: { file: 'feed.json', contentType: 'application/feed+json; charset=utf-8', label: 'JSON Feed' },
};

/** `/`, or `/{section}/` for a section. */
export function pagePath(section?: string): string {
  return section === undefined ? '/' : `/${section}/`;
}

export function feedPath(format: FeedFormat, section?: string): string {
  return `${pagePath(section)}${FEED_FILES[format].file}`;
}

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
