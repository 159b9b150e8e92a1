// The Hono app: routes, headers and errors. No IO of its own: the store is passed in.
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { createPublishApi, type PublishApiOptions } from '../publish/api.ts';
import { DEFAULT_CACHE_MAX_AGE_S, type SiteConfig } from '../site/config.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { FEED_STYLESHEET } from '../feed/feed-style.ts';
import { createContentCache, type ContentCache } from './content-cache.ts';
import type { Encoder, Encoding } from './compression.ts';
import { createFeedCache } from './feed-cache.ts';
import { EncodingChoices } from './encoding-choices.ts';
import { attachFastPath } from './feed-fast-path.ts';
import { feedQueryString, type FeedQuery } from './feed-query.ts';
import { createFeedResponder } from './feed-response.ts';
import { mediaResponse } from './media-response.ts';
import { DEFAULT_MEDIA_MAX_BYTES, mediaPathOf, type MediaSource } from '../site/media-types.ts';
import { combinedFeedOpml, sectionsOpml, termsOpml } from './opml-lists.ts';
import { articlePage, homePage, sectionPage } from '../pages/pages.ts';
import { termIndexPage, termPage } from '../pages/terms.ts';
import { TERM_KINDS, type TermKind } from '../store/terms.ts';
import { statusPage } from '../pages/status.ts';
import type { FeedStore } from '../store/types.ts';
import { perDay } from './published-per-day.ts';
import { rawPathOf, routedPath, searchOf } from './request-target.ts';
import { feedQuery, parseWholeNumber, SLUG, slugParam } from './route-params.ts';
import { OPML_FILES, basePathOf, pagePath, TERM_FOLDERS, termPath } from '../site/url-scheme.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';

export interface AppOptions {
  store: FeedStore;
  site: SiteConfig;
  /** Items per feed page (FEED_LIMIT). */
  feedLimit: number;
  /** Cache-Control max-age of feeds and media files, in seconds (default DEFAULT_CACHE_MAX_AGE_S, 300). */
  maxAge?: number;
  /** Size budget of one feed document in bytes (default 1 MiB). */
  maxFeedBytes?: number;
  /** WebSub hubs advertised in feeds and `Link` headers. */
  hubs?: string[];
  /** Bytes of bodies, rendered items and feed documents kept in memory (CACHE_MAX_BYTES; default 64 MiB). */
  cacheMaxBytes?: number;
  /** The cache itself, when the entry point made it (to tell it which articles are gone); else one of `cacheMaxBytes`. */
  content?: ContentCache;
  /** Content encoders by name; gzip works everywhere without one, br needs one (Node: zlib). */
  encoders?: Partial<Record<Encoding, Encoder>>;
  /** Whether the first scan is done (`/readyz`); default: always ready. `/healthz` is 200 regardless. */
  isReady?: () => boolean;
  /** What `/readyz` says while not ready, e.g. `indexing 1234/100000 files`. */
  readiness?: () => string;
  /** The body of `GET /metrics` (Prometheus text); without it `/metrics` is a 404. */
  metrics?: () => Promise<{ body: string; contentType: string }>;
  /** Told how long each feed document took to assemble (ms): the render-time metric. */
  onFeedRender?: (ms: number, format: FeedFormat) => void;
  /** Where unexpected errors are reported (default console.error). */
  logError?: (message: string) => void;
  /** Clock, for tests. */
  now?: () => number;
  /** Enables the authenticated publish API at `/api` (see publish/api.ts); without it `/api/*` is a 404. */
  publish?: PublishApiOptions;
  /** Media files (images, audio, video) served at their path in the articles folder; none without. */
  media?: MediaSource;
  /** Largest media file served (MEDIA_MAX_BYTES; default 32 MiB). */
  mediaMaxBytes?: number;
}

const SECTION_PAGE_SIZE = 100;
// Hono's default spells it UTF-8; one spelling across every response we send.
const HTML_HEADERS = { 'Content-Type': 'text/html; charset=utf-8' };
const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * Builds the wirefeed HTTP app over a store.
 * @example
 * const app = createApp({ store: createMemoryStore(), site: resolveConfig(process.env).site, feedLimit: 50 });
 */
export function createApp(options: AppOptions): Hono {
  const { store, site, feedLimit, hubs = [], isReady = () => true, logError = console.error, now = Date.now } = options;
  const content = options.content ?? createContentCache(store, options.cacheMaxBytes);
  const maxAge = options.maxAge ?? DEFAULT_CACHE_MAX_AGE_S;
  const mediaMaxBytes = options.mediaMaxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  const media = { source: options.media, maxBytes: mediaMaxBytes };
  const feeds = createFeedCache({ store, site, hubs, maxBytes: options.maxFeedBytes, encoders: options.encoders, now, log: logError, content, media, onRender: options.onFeedRender });
  const feedHeaders = {
    'Cache-Control': `public, max-age=${maxAge}`,
    // Sec-Fetch-Dest picks the Content-Type browsers get (see http/feed-response.ts).
    Vary: 'Accept-Encoding, Sec-Fetch-Dest',
    'Access-Control-Allow-Origin': '*',
  };
  const responder = createFeedResponder({ headers: feedHeaders, hubs });
  const negotiated = new EncodingChoices();
  // BASE_URL's path (`/news`): requests may arrive with it (a proxy passing it through, a Worker
  // route) or without it (a proxy stripping it); routes see the path without it either way, and
  // every Location header puts it back.
  const basePath = basePathOf(site);
  const app = basePath === '' ? new Hono() : new Hono({ getPath: routedPath(basePath) });

  async function serveFeed(c: Context, format: FeedFormat, section?: string, term?: { kind: TermKind; slug: string }) {
    const search = searchOf(c.req.url);
    const scope = term ? { [term.kind]: term.slug } : {};
    // No query (the usual case) is canonical as it is: nothing to parse.
    const query: FeedQuery =
      search === '' ? { format, section, ...scope, page: 1, limit: feedLimit, explicitLimit: false } : { ...feedQuery(c, format, feedLimit, section), ...scope };
    if (search !== '') {
      const canonical = feedQueryString(query.page, query.limit, query.explicitLimit);
      if (search !== canonical) return c.redirect(`${basePath}${c.req.path}${canonical}`, 301);
    }
    const feed = await feeds.get(query);
    if (!feed) throw new NotFoundError(term ? `No ${term.kind} "${term.slug}"` : `No section "${section}"`);
    const encoding = negotiated.choose(c);
    const variant = responder.prepared(feed, encoding) ?? (await responder.prepare(feed, encoding));
    const { status, headers, body } = responder.answer(variant, {
      head: c.req.method === 'HEAD',
      ifNoneMatch: c.req.header('if-none-match'),
      ifModifiedSince: c.req.header('if-modified-since'),
      secFetchDest: c.req.header('sec-fetch-dest'),
    });
    return new Response(body, { status, headers });
  }

  // Media files at their own path (`/science/chip.jpg`): first, since `/:section/:article` would
  // take two-segment paths. Page, feed and article URLs never end in a media extension (slugs
  // have no dots), so nothing else is shadowed; anything that is not a media path goes on.
  if (options.media) {
    const mediaOptions = { source: options.media, maxBytes: mediaMaxBytes, maxAge };
    app.get('*', async function mediaFile(c, next) {
      const path = mediaPathOf(c.req.path);
      if (path === undefined) return next();
      const response = await mediaResponse(c.req.raw, path, mediaOptions);
      if (response === undefined) throw new NotFoundError('Not found');
      return response;
    });
  }

  app.get('/', async function home(c) {
    // `/news` itself: the home page's URL is `/news/`, as every link names it.
    if (basePath !== '' && rawPathOf(c.req.url) === basePath) return c.redirect(`${basePath}/${searchOf(c.req.url)}`, 301);
    const [status, tags, authors] = await Promise.all([store.status(), store.listTerms('tag'), store.listTerms('author')]);
    return c.html(homePage(site, status.sections, status.articles, tags, authors), 200, HTML_HEADERS);
  });

  // Liveness: the process answers. Readiness: the first scan is in (until then feeds are partial).
  app.get('/healthz', function healthz(c) {
    return c.text('ok', 200, NO_STORE);
  });

  app.get('/readyz', function readyz(c) {
    return isReady() ? c.text('ready', 200, NO_STORE) : c.text(options.readiness?.() ?? 'starting', 503, NO_STORE);
  });

  app.get('/metrics', async function metrics(c) {
    if (!options.metrics) return c.text('Not found', 404);
    const { body, contentType } = await options.metrics();
    return c.body(body, 200, { 'Content-Type': contentType, ...NO_STORE });
  });

  app.get('/status', async function status(c) {
    const current = await store.status();
    const wants = accepts(c, { header: 'Accept', supports: ['application/json', 'text/html'], default: 'application/json' });
    if (wants === 'text/html') {
      return c.html(statusPage(site, current, await perDay(store, now())), 200, HTML_HEADERS);
    }
    const { articles, sections, rejected, scheduled, updatedAt } = current;
    c.header('Vary', 'Accept');
    return c.json({
      articles,
      sections: sections.map(({ slug, name, articles }) => ({ slug, name, articles })),
      rejected,
      scheduled,
      updatedAt: updatedAt?.toISOString() ?? null,
    });
  });

  const opmlHeaders = { 'Content-Type': 'text/x-opml; charset=utf-8', ...feedHeaders };
  // Each section's feed once; tags, authors and the combined feed in lists of their own (opml-lists.ts).
  app.get(OPML_FILES.sections, async function opml(c) {
    return c.body(sectionsOpml(site, await store.listSections()), 200, opmlHeaders);
  });
  app.get(OPML_FILES.all, async function combinedOpml(c) {
    return c.body(combinedFeedOpml(site, await store.listSections()), 200, opmlHeaders);
  });
  for (const kind of TERM_KINDS) {
    app.get(OPML_FILES[kind], async function termOpml(c) {
      return c.body(termsOpml(site, kind, await store.listTerms(kind)), 200, opmlHeaders);
    });
  }

  app.get('/robots.txt', (c) => c.text('User-agent: *\nAllow: /\n'));
  // Browsers ask for it on every page; without this route it would look like a section.
  app.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));

  app.get('/feed.css', function feedStylesheet(c) {
    return c.body(FEED_STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=86400' });
  });

  if (options.publish) app.route('/api', createPublishApi({ ...options.publish, basePath }));

  // Tags and authors (store/terms.ts) under fixed folders, before the section routes: a section
  // slugged `tags` or `authors` keeps its feeds (`/tags/rss.xml`) and articles (`/tags/{article}`),
  // and its page's URL shows the listing, which links that section's feeds.
  for (const kind of TERM_KINDS) {
    const folder = TERM_FOLDERS[kind];
    app.get(`/${folder}/`, async function termIndex(c) {
      const [terms, sections] = await Promise.all([store.listTerms(kind), store.listSections()]);
      return c.html(termIndexPage(site, kind, terms, sections.find((section) => section.slug === folder)), 200, HTML_HEADERS);
    });
    for (const format of FEED_FORMATS) {
      app.get(`/${folder}/:term/${FORMAT_DEFINITIONS[format].file}`, (c) => serveFeed(c, format, undefined, { kind, slug: slugParam(c, 'term') }));
    }
    app.get(`/${folder}/:term/`, async function term(c) {
      const slug = slugParam(c, 'term');
      const page = parseWholeNumber(c.req.query('page'), 'page', 1, 1_000_000);
      const listed = await store.list({ [kind]: slug, limit: SECTION_PAGE_SIZE, offset: (page - 1) * SECTION_PAGE_SIZE });
      if (listed.total === 0) throw new NotFoundError(`No ${kind} "${slug}"`);
      if (listed.items.length === 0) throw new NotFoundError(`${kind} "${slug}" has no page ${page}`);
      const info = { slug, name: listed.termName ?? slug, articles: listed.total };
      return c.html(termPage(site, kind, info, listed.items, page, SECTION_PAGE_SIZE), 200, HTML_HEADERS);
    });
    // `/tags/{tag}` without its slash: the tag's page, unless a section `tags` has an article there.
    app.get(`/${folder}/:term`, async function termWithoutSlash(c, next) {
      const slug = c.req.param('term');
      // Anything else (`/tags/rss.xml`: the feed of a section `tags`) is for the routes below.
      if (SLUG.test(slug) && slug.length <= 200 && (await store.find(folder, slug)) === undefined && (await store.list({ [kind]: slug, limit: 0 })).total > 0) {
        return c.redirect(`${basePath}${termPath(kind, slug)}`, 301);
      }
      await next();
    });
  }

  // Fixed routes come first: a section called "status" or "rss.xml" never shadows them.
  for (const format of FEED_FORMATS) {
    const file = FORMAT_DEFINITIONS[format].file;
    app.get(`/${file}`, (c) => serveFeed(c, format));
    app.get(`/:section/${file}`, (c) => serveFeed(c, format, slugParam(c, 'section')));
  }

  app.get('/:section', (c) => c.redirect(`${basePath}${pagePath(slugParam(c, 'section'))}`, 301));

  app.get('/:section/', async function section(c) {
    const slug = slugParam(c, 'section');
    const info = (await store.listSections()).find((s) => s.slug === slug);
    if (!info) throw new NotFoundError(`No section "${slug}"`);
    const page = parseWholeNumber(c.req.query('page'), 'page', 1, 1_000_000);
    const { items } = await store.list({ section: slug, limit: SECTION_PAGE_SIZE, offset: (page - 1) * SECTION_PAGE_SIZE });
    if (items.length === 0) throw new NotFoundError(`Section "${slug}" has no page ${page}`);
    return c.html(sectionPage(site, info, items, page, SECTION_PAGE_SIZE), 200, HTML_HEADERS);
  });

  app.get('/:section/:article', async function article(c) {
    const section = slugParam(c, 'section');
    const article = slugParam(c, 'article');
    const listed = await store.find(section, article);
    if (!listed) throw new NotFoundError(`No article "${article}" in section "${section}"`);
    return c.html(articlePage(site, listed, await content.content(listed)), 200, HTML_HEADERS);
  });

  app.notFound((c) => c.text('Not found', 404));

  app.onError(function handleError(error, c) {
    if (error instanceof NotFoundError) return c.text(error.message, 404);
    if (error instanceof BadRequestError) return c.text(error.message, 400);
    logError(`[app] ${c.req.method} ${c.req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return c.text('Internal Server Error', 500);
  });

  attachFastPath(app, { basePath, feedLimit, feeds, responder, negotiated });
  return app;
}
