// The Hono app: routes, headers and errors. No IO of its own: the store is passed in.
import { Hono, type Context } from 'hono';
import type { SiteConfig } from './config.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { createFeedCache, type RenderedFeed } from './feeds.ts';
import { isNotModified } from './http/conditional.ts';
import { articlePage, homePage, sectionPage } from './pages/pages.ts';
import type { FeedStore } from './store/types.ts';
import { FEED_FILES, FEED_FORMATS, pagePath, type FeedFormat } from './urls.ts';

export interface AppOptions {
  store: FeedStore;
  site: SiteConfig;
  /** Newest N items per feed. */
  feedLimit: number;
  /** Cache-Control max-age of feeds, in seconds (default 300). */
  maxAge?: number;
  /** Whether the first scan is done (`/healthz`); default: always ready. */
  isReady?: () => boolean;
  /** Where unexpected errors are reported (default console.error). */
  logError?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

const SECTION_PAGE_SIZE = 100;
// Hono's default spells it UTF-8; one spelling across every response we send.
const HTML_HEADERS = { 'Content-Type': 'text/html; charset=utf-8' };

/**
 * Builds the wirefeed HTTP app over a store.
 * @example
 * const app = createApp({ store: createMemoryStore(), site: resolveConfig(process.env).site, feedLimit: 50 });
 */
export function createApp(options: AppOptions): Hono {
  const { store, site, feedLimit, isReady = () => true, logError = console.error } = options;
  const feeds = createFeedCache({ store, site, feedLimit, now: options.now });
  const cacheControl = `public, max-age=${options.maxAge ?? 300}`;
  const app = new Hono();

  async function serveFeed(c: Context, format: FeedFormat, section?: string) {
    const feed = await feeds.get(format, section);
    if (!feed) throw new NotFoundError(`No section "${section}"`);
    return respondWithFeed(c, feed, cacheControl);
  }

  app.get('/', async function home(c) {
    const status = await store.status();
    return c.html(homePage(site, status.sections, status.articles), 200, HTML_HEADERS);
  });

  app.get('/healthz', function healthz(c) {
    return isReady() ? c.text('ok') : c.text('indexing', 503);
  });

  app.get('/status', async function status(c) {
    const { articles, sections, rejected, updatedAt } = await store.status();
    return c.json({
      articles,
      sections: sections.map(({ slug, name, articles }) => ({ slug, name, articles })),
      rejected,
      updatedAt: updatedAt?.toISOString() ?? null,
    });
  });

  // Fixed routes come first: a section called "status" or "rss.xml" never shadows them.
  for (const format of FEED_FORMATS) {
    const file = FEED_FILES[format].file;
    app.get(`/${file}`, (c) => serveFeed(c, format));
    app.get(`/:section/${file}`, (c) => serveFeed(c, format, c.req.param('section')));
  }

  app.get('/:section', (c) => c.redirect(pagePath(c.req.param('section')), 301));

  app.get('/:section/', async function section(c) {
    const slug = c.req.param('section');
    const info = (await store.listSections()).find((s) => s.slug === slug);
    if (!info) throw new NotFoundError(`No section "${slug}"`);
    const page = parsePage(c.req.query('page'));
    const { items } = await store.list({ section: slug, limit: SECTION_PAGE_SIZE, offset: (page - 1) * SECTION_PAGE_SIZE });
    if (items.length === 0) throw new NotFoundError(`Section "${slug}" has no page ${page}`);
    return c.html(sectionPage(site, info, items, page, SECTION_PAGE_SIZE), 200, HTML_HEADERS);
  });

  app.get('/:section/:article', async function article(c) {
    const { section, article } = c.req.param();
    const listed = await store.find(section, article);
    if (!listed) throw new NotFoundError(`No article "${article}" in section "${section}"`);
    return c.html(articlePage(site, listed), 200, HTML_HEADERS);
  });

  app.notFound((c) => c.text('Not found', 404));

  app.onError(function handleError(error, c) {
    if (error instanceof NotFoundError) return c.text(error.message, 404);
    if (error instanceof BadRequestError) return c.text(error.message, 400);
    logError(`[app] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.text('Internal Server Error', 500);
  });

  return app;
}

function respondWithFeed(c: Context, feed: RenderedFeed, cacheControl: string): Response {
  const headers = new Headers({
    ETag: feed.etag,
    'Last-Modified': feed.lastModified.toUTCString(),
    'Cache-Control': cacheControl,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
  });
  // RFC 9110 §15.4.5: a 304 carries the validators and caching headers a 200 would, and no body.
  if (isNotModified(c.req.raw.headers, feed)) return new Response(null, { status: 304, headers });
  headers.set('Content-Type', feed.contentType);
  headers.set('Content-Length', String(feed.body.byteLength));
  return new Response(c.req.method === 'HEAD' ? null : feed.body, { status: 200, headers });
}

function parsePage(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new BadRequestError('"page" must be a whole number from 1');
  return Number(raw);
}
