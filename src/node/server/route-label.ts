// The route of a request target, as a metric label: a handful of fixed names, never the path
// itself (a label per URL would grow without bound, and could name anything a client sends).
import { mediaPathOf } from '../../site/media-types.ts';
import { FEED_FILE_PATTERN, stripBasePath } from '../../site/url-scheme.ts';

export type RouteLabel =
  | 'feed'
  | 'feed-page'
  | 'home'
  | 'section'
  | 'article'
  | 'media'
  | 'status'
  | 'opml'
  | 'api'
  | 'health'
  | 'metrics'
  | 'static'
  | 'other';

const FIXED: Record<string, RouteLabel> = {
  '/': 'home',
  '/status': 'status',
  '/feeds.opml': 'opml',
  '/healthz': 'health',
  '/readyz': 'health',
  '/metrics': 'metrics',
  '/robots.txt': 'static',
  '/favicon.ico': 'static',
  '/feed.css': 'static',
};

// A section's, a tag's or an author's feed, or the combined one, in any format (feed/formats.ts).
const FEED = new RegExp(`^(?:/(?:tags|authors)/[a-z0-9][a-z0-9-]*|/[a-z0-9][a-z0-9-]*)?/(?:${FEED_FILE_PATTERN})$`);
// A tag's or an author's page, and their listings: pages like a section's.
const TERM_PAGE = /^\/(?:tags|authors)\/(?:[a-z0-9][a-z0-9-]*\/?)?$/;
const SECTION = /^\/[a-z0-9][a-z0-9-]*\/?$/;
const ARTICLE = /^\/[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

/**
 * `target` is the request target as sent (path and query); `basePath` is BASE_URL's path, which
 * a proxy passing it through leaves in front (the app routes without it, and so does this).
 */
export function routeLabel(target: string, basePath = ''): RouteLabel {
  const routed = stripBasePath(target, basePath);
  const query = routed.indexOf('?');
  const path = query === -1 ? routed : routed.slice(0, query);
  const fixed = FIXED[path];
  if (fixed) return fixed;
  if (/^\/[a-z]+\.opml$/.test(path)) return 'opml';
  if (FEED.test(path)) return query !== -1 && /[?&]page=(?!1(?:&|$))/.test(routed.slice(query)) ? 'feed-page' : 'feed';
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (SECTION.test(path) || TERM_PAGE.test(path)) return 'section';
  if (mediaPathOf(path) !== undefined) return 'media';
  if (ARTICLE.test(path)) return 'article';
  return 'other';
}
