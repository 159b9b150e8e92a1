// Feed documents from the store. Each document (format x section x page x limit) is rendered
// once per change of its section and served from cached bytes until the next one; compressed
// variants are made once, on first demand, and kept with it.
import type { SiteConfig } from './config.ts';
import { renderAtom } from './feed/atom.ts';
import { renderJsonFeed } from './feed/json-feed.ts';
import { renderRss } from './feed/rss.ts';
import type { FeedItem, FeedLinks, FeedMeta, FeedPaging } from './feed/types.ts';
import { NotFoundError } from './errors.ts';
import type { FeedStore, ListedArticle } from './store/types.ts';
import { FEED_FILES, FEED_FORMATS, absolute, articlePath, feedPath, pagePath, type FeedFormat } from './urls.ts';

export type Encoding = 'br' | 'gzip';
export type Encoder = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;

/** One feed document as a client asks for it. `limit` is explicit when the URL carries it. */
export interface FeedQuery {
  format: FeedFormat;
  section?: string;
  page: number;
  limit: number;
  explicitLimit: boolean;
}

export interface RenderedFeed {
  /** The document, UTF-8 encoded once at render time. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong entity tag of `body`, quoted. Compressed variants add `-br`/`-gzip` inside the quotes. */
  etag: string;
  /** The tags of every variant of this document: any of them names the current content. */
  etags: string[];
  /** When this document's bytes last changed: forward by at least a second per change, never back. */
  lastModified: Date;
  /** The URL this document is served at, as its self link says. */
  selfUrl: string;
  /** True when full content did not fit the byte budget and items carry summaries only. */
  summariesOnly: boolean;
  /** Returns the body in `encoding` (made once, then kept); identity when no encoder is set up. */
  encoded(encoding: Encoding): Promise<{ body: Uint8Array<ArrayBuffer>; etag: string } | undefined>;
}

export interface FeedCacheOptions {
  store: FeedStore;
  site: SiteConfig;
  /** WebSub hubs advertised in every feed. */
  hubs?: string[];
  /** Size budget of one document in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Content encoders; gzip defaults to the Web-standard CompressionStream. */
  encoders?: Partial<Record<Encoding, Encoder>>;
  /** Where budget overruns are reported. */
  log?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => number;
  /** Documents kept besides every section's page 1 (LRU). */
  maxEntries?: number;
}

export interface FeedCache {
  /** The document for `query`; undefined for an unknown section; NotFoundError past the last page. */
  get(query: FeedQuery): Promise<RenderedFeed | undefined>;
  /**
   * The document `get(query)` would answer with now, when that needs no work: it is cached and
   * current by a `revision()` the store answers synchronously (it promotes due articles, as a
   * read does). Undefined otherwise (not cached, stale, or a store answering with promises).
   */
  peek(query: FeedQuery): RenderedFeed | undefined;
}

export const DEFAULT_MAX_FEED_BYTES = 1024 * 1024;
const RENDERERS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed } as const;
const encoder = new TextEncoder();

/** Creates the cache of rendered feeds over `store`. */
export function createFeedCache(options: FeedCacheOptions): FeedCache {
  const { store, site, hubs = [], maxBytes = DEFAULT_MAX_FEED_BYTES, now = Date.now, log = console.warn } = options;
  const encoders: Partial<Record<Encoding, Encoder>> = { gzip: compressionStreamEncoder('gzip'), ...options.encoders };
  const maxEntries = options.maxEntries ?? 2000;
  const cache = new Map<string, { revision: number; feed: RenderedFeed }>();
  const overBudget = new Set<string>();

  async function render(query: FeedQuery, key: string, previous: RenderedFeed | undefined): Promise<RenderedFeed | undefined> {
    const { format, section, page, limit } = query;
    const listed = await store.list({ section, limit, offset: (page - 1) * limit });
    if (section !== undefined && listed.total === 0) return undefined;
    const lastPage = Math.max(1, Math.ceil(listed.total / limit));
    if (page > lastPage) throw new NotFoundError(`No page ${page}: this feed has ${lastPage}`);

    const meta = feedMeta(site, query, lastPage, hubs, listed.items);
    const full = listed.items.map((entry) => toFeedItem(site, entry));
    let body = encoder.encode(RENDERERS[format](meta, full));
    let summariesOnly = false;
    if (body.byteLength > maxBytes) {
      // Over budget: keep every item (none may be lost), drop to summaries, which link to the article.
      summariesOnly = true;
      body = encoder.encode(RENDERERS[format](meta, full.map(({ html: _html, ...rest }) => rest)));
      if (body.byteLength > maxBytes && !overBudget.has(key)) {
        overBudget.add(key);
        log(`[feeds] ${meta.links[format]} is ${body.byteLength} bytes with summaries only, over the ${maxBytes}-byte budget: lower FEED_LIMIT`);
      }
    }
    const hash = await digest(body);
    if (previous && previous.etag === `"${hash}"`) return previous;
    // Last-Modified is when the store says the section changed, so every process serving the
    // same store agrees. HTTP dates have one-second resolution: a change within the second of
    // the previous one must still move it, or If-Modified-Since would answer 304 for new bytes.
    const changed = (await store.changedAt(section))?.getTime() ?? now();
    const second = Math.floor(changed / 1000) * 1000;
    const lastModified = new Date(Math.max(second, (previous?.lastModified.getTime() ?? -Infinity) + 1000));
    const variants = new Map<Encoding, Promise<Uint8Array<ArrayBuffer>>>();
    return {
      body,
      contentType: FEED_FILES[format].contentType,
      etag: `"${hash}"`,
      etags: [`"${hash}"`, ...(['br', 'gzip'] as const).map((encoding) => `"${hash}-${encoding}"`)],
      lastModified,
      selfUrl: meta.links[format],
      summariesOnly,
      async encoded(encoding) {
        const encoder = encoders[encoding];
        if (!encoder) return undefined;
        let variant = variants.get(encoding);
        if (!variant) {
          variant = encoder(body);
          variants.set(encoding, variant);
        }
        return { body: await variant, etag: `"${hash}-${encoding}"` };
      },
    };
  }

  /** False once the store has answered `revision()` with a promise: `peek` stops asking. */
  let syncRevisions = true;
  /** The most recently used key: touching it again would change nothing. */
  let newest: string | undefined;

  return {
    async get(query) {
      const key = cacheKey(query);
      // Read the revision before the items: a change landing in between only costs a re-render later.
      const revision = await store.revision(query.section);
      const cached = cache.get(key);
      if (cached && cached.revision === revision) {
        touch(key, cached);
        return cached.feed;
      }
      const feed = await render(query, key, cached?.feed);
      if (!feed) {
        cache.delete(key);
        return undefined;
      }
      touch(key, { revision, feed });
      return feed;
    },

    peek(query) {
      if (!syncRevisions) return undefined;
      const key = cacheKey(query);
      const cached = cache.get(key);
      if (cached === undefined) return undefined;
      const revision = store.revision(query.section);
      if (typeof revision !== 'number') {
        syncRevisions = false;
        Promise.resolve(revision).catch(() => undefined);
        return undefined;
      }
      if (revision !== cached.revision) return undefined;
      // A Map delete and set per request costs more than the rest of a look-up (the table shrinks
      // and grows again when it holds few entries); the order is the same without them.
      if (key !== newest) touch(key, cached);
      return cached.feed;
    },
  };

  function touch(key: string, entry: { revision: number; feed: RenderedFeed }): void {
    cache.delete(key);
    cache.set(key, entry);
    newest = key;
    // Map order is insertion order: the first key is the least recently used.
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  }
}

function cacheKey(query: FeedQuery): string {
  return `${query.format}|${query.section ?? ''}|${query.page}|${query.limit}|${query.explicitLimit}`;
}

/** Maps a stored article to the renderers' model with absolute URLs. */
export function toFeedItem(site: SiteConfig, listed: ListedArticle): FeedItem {
  const { article } = listed;
  return {
    id: article.id,
    url: absolute(site, articlePath(article.sectionSlug, listed.slug)),
    title: article.title,
    summary: article.summary,
    html: article.html,
    authors: article.authors,
    tags: article.tags,
    category: {
      name: listed.sectionName,
      slug: article.sectionSlug,
      url: absolute(site, pagePath(article.sectionSlug)),
    },
    image: article.image,
    publishedAt: article.publishedAt,
    updatedAt: article.updatedAt,
  };
}

/** The canonical query string of a feed document: `?page=N` past page 1, `limit=L` when asked for. */
export function feedQueryString(page: number, limit: number, explicitLimit: boolean): string {
  const params = [page > 1 ? `page=${page}` : '', explicitLimit ? `limit=${limit}` : ''].filter(Boolean);
  return params.length > 0 ? `?${params.join('&')}` : '';
}

function feedMeta(site: SiteConfig, query: FeedQuery, lastPage: number, hubs: string[], items: ListedArticle[]): FeedMeta {
  const { section, page, limit, explicitLimit } = query;
  const linksFor = (target: number): FeedLinks =>
    Object.fromEntries(
      FEED_FORMATS.map((format) => [format, absolute(site, feedPath(format, section)) + feedQueryString(target, limit, explicitLimit)]),
    ) as unknown as FeedLinks;
  const paging: FeedPaging | undefined =
    lastPage > 1
      ? {
          first: linksFor(1),
          last: linksFor(lastPage),
          ...(page > 1 ? { previous: linksFor(page - 1) } : {}),
          ...(page < lastPage ? { next: linksFor(page + 1) } : {}),
        }
      : undefined;
  const sectionName = items[0]?.sectionName;
  // Feed-level updated is the newest item's date, never "now": unchanged content, unchanged bytes.
  const updated = items.reduce(
    (newest, { article }) => Math.max(newest, article.updatedAt.getTime(), article.publishedAt.getTime()),
    0,
  );
  return {
    id: `tag:${site.idAuthority},2026:feed${section === undefined ? '' : `/${section}`}`,
    title: sectionName === undefined || section === undefined ? site.title : `${sectionName} | ${site.title}`,
    description:
      sectionName === undefined || section === undefined
        ? `Latest articles from ${site.title}`
        : `Latest ${sectionName} articles from ${site.title}`,
    homeUrl: absolute(site, pagePath(section)),
    links: linksFor(page),
    ...(paging ? { paging } : {}),
    hubs,
    stylesheet: absolute(site, '/feed.css'),
    language: site.language,
    updated: new Date(updated),
  };
}

async function digest(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const hash = await crypto.subtle.digest('SHA-256', body);
  return Array.from(new Uint8Array(hash).subarray(0, 12), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** An encoder on the Web-standard CompressionStream (Node 18+, workerd, browsers). */
export function compressionStreamEncoder(format: 'gzip'): Encoder {
  return async (data) => {
    const stream = new Blob([data]).stream().pipeThrough(new CompressionStream(format));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
}
