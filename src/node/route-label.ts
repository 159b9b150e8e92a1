// The route of a request target, as a metric label: a handful of fixed names, never the path
// itself (a label per URL would grow without bound, and could name anything a client sends).

export type RouteLabel =
  | 'feed'
  | 'feed-page'
  | 'home'
  | 'section'
  | 'article'
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

const FEED = /^(?:\/[a-z0-9][a-z0-9-]*)?\/(?:rss\.xml|atom\.xml|feed\.json)$/;
const SECTION = /^\/[a-z0-9][a-z0-9-]*\/?$/;
const ARTICLE = /^\/[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

/** `target` is the request target as sent: path and query. */
export function routeLabel(target: string): RouteLabel {
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  const fixed = FIXED[path];
  if (fixed) return fixed;
  if (FEED.test(path)) return query !== -1 && /[?&]page=(?!1(?:&|$))/.test(target.slice(query)) ? 'feed-page' : 'feed';
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (SECTION.test(path)) return 'section';
  if (ARTICLE.test(path)) return 'article';
  return 'other';
}
