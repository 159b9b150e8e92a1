// The cache of feed documents over the store. Each document (format x section or term x page x
// limit) is assembled once per change of what it lists (feed-document.ts, from the item cache:
// each item is rendered once per article version) and served from kept bytes until the next
// change; compressed variants are made once, on first demand (rendered-feed.ts), and counted
// against the same byte budget as everything else the content cache keeps.
import type { SiteConfig } from '../site/config.ts';
import { compressionStreamEncoder, type Encoder, type Encoding } from './compression.ts';
import { createContentCache, type ContentCache } from './content-cache.ts';
import { NotFoundError } from '../errors.ts';
import { FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';
import { assembleDocument } from './feed-document.ts';
import { feedMeta } from './feed-meta.ts';
import { scopeOf, type FeedQuery } from './feed-query.ts';
import { createItemCache, type ItemMediaOptions } from './item-cache.ts';
import { createRenderedFeed, nextLastModified, type RenderedFeed } from './rendered-feed.ts';
import type { FeedStore } from '../store/types.ts';

// What `get` and `peek` take, for the cache's callers (its query string is in feed-query.ts too).
export type { FeedQuery };

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
  /** Where bodies, rendered items and documents are kept (bounded by bytes); one over `store` by default. */
  content?: ContentCache;
  /** Told how long each document took to assemble, in ms (a metric). */
  onRender?: (ms: number, format: FeedFormat) => void;
  /** The site's media files, for items' enclosures (type and length); without it images get no <enclosure>. */
  media?: ItemMediaOptions;
}

export interface FeedCache {
  /** The document for `query`; undefined for an unknown section, tag or author; NotFoundError past the last page. */
  get(query: FeedQuery): Promise<RenderedFeed | undefined>;
  /**
   * The document `get(query)` would answer with now, when that needs no work: it is cached and
   * current by a `revision()` the store answers synchronously (it promotes due articles, as a
   * read does). Undefined otherwise (not cached, stale, or a store answering with promises).
   */
  peek(query: FeedQuery): RenderedFeed | undefined;
}

export const DEFAULT_MAX_FEED_BYTES = 1024 * 1024;

/** Creates the cache of rendered feeds over `store`. */
export function createFeedCache(options: FeedCacheOptions): FeedCache {
  const { store, site, hubs = [], maxBytes = DEFAULT_MAX_FEED_BYTES, now = Date.now, log = console.warn } = options;
  const encoders: Partial<Record<Encoding, Encoder>> = { gzip: compressionStreamEncoder('gzip'), ...options.encoders };
  const content = options.content ?? createContentCache(store);
  const { lru } = content;
  const itemCache = createItemCache(site, store, content, options.media);
  const overBudget = new Set<string>();

  async function render(query: FeedQuery, key: string, previous: RenderedFeed | undefined): Promise<RenderedFeed | undefined> {
    const { format, section, tag, author, page, limit } = query;
    const scope = scopeOf(query);
    const listed = await store.list({ section, tag, author, limit, offset: (page - 1) * limit });
    if (scope !== undefined && listed.total === 0) return undefined;
    const lastPage = Math.max(1, Math.ceil(listed.total / limit));
    if (page > lastPage) throw new NotFoundError(`No page ${page}: this feed has ${lastPage}`);

    const meta = feedMeta(site, query, lastPage, hubs, listed.items, listed.termName);
    // Items come rendered from the item cache; only the frame around them is made anew.
    const document = await assembleDocument(itemCache, format, meta, listed.items, maxBytes);
    if (document.bytes > maxBytes && !overBudget.has(key)) {
      overBudget.add(key);
      log(`[feeds] ${meta.links[format]} is ${document.bytes} bytes with summaries only, over the ${maxBytes}-byte budget: lower FEED_LIMIT`);
    }
    const hash = await document.digest();
    if (previous && previous.etag === `"${hash}"`) return previous;
    // Last-Modified is when the store says the scope changed, so every process serving the same store agrees.
    const changed = (listed.changedAt !== undefined ? listed.changedAt : await store.changedAt(scope))?.getTime() ?? now();
    return createRenderedFeed({
      body: document.join(),
      hash,
      contentType: FORMAT_DEFINITIONS[format].contentType,
      lastModified: nextLastModified(changed, previous?.lastModified),
      selfUrl: meta.links[format],
      summariesOnly: document.summariesOnly,
      encoders,
      onVariant(feed, bytes) {
        // Count the variant against the cache's budget while the document is still the one kept.
        const kept = lru.get(key) as CachedDocument | undefined;
        if (kept?.feed === feed) lru.set(key, kept, documentBytes(kept.feed.body) + bytes);
      },
    });
  }

  /** False once the store has answered `revision()` with a promise: `peek` stops asking. */
  let syncRevisions = true;
  /** The most recently used key: touching it again would change nothing. */
  let newest: string | undefined;

  return {
    async get(query) {
      const key = cacheKey(query);
      // Read the revision before the items: a change landing in between only costs a re-render later.
      const revision = await store.revision(scopeOf(query));
      const cached = lru.get(key) as CachedDocument | undefined;
      newest = key;
      if (cached && cached.revision === revision) return cached.feed;
      const started = performance.now();
      const feed = await render(query, key, cached?.feed);
      options.onRender?.(performance.now() - started, query.format);
      if (!feed) {
        lru.delete(key);
        return undefined;
      }
      lru.set(key, { revision, feed }, documentBytes(feed.body));
      return feed;
    },

    peek(query) {
      if (!syncRevisions) return undefined;
      const key = cacheKey(query);
      // Looked at without being moved: a Map delete and set per request cost more than the rest.
      const cached = lru.peek(key) as CachedDocument | undefined;
      if (cached === undefined) return undefined;
      const revision = store.revision(scopeOf(query));
      if (typeof revision !== 'number') {
        syncRevisions = false;
        Promise.resolve(revision).catch(() => undefined);
        return undefined;
      }
      if (revision !== cached.revision) return undefined;
      // A Map delete and set per request costs more than the rest of a look-up (the table shrinks
      // and grows again when it holds few entries); the order is the same without them.
      if (key !== newest) {
        lru.get(key);
        newest = key;
      }
      return cached.feed;
    },
  };
}

interface CachedDocument {
  revision: number;
  feed: RenderedFeed;
}

/** What a kept document costs: its bytes, and a little for the object around them. */
function documentBytes(body: Uint8Array): number {
  return body.byteLength + 512;
}

function cacheKey(query: FeedQuery): string {
  return `doc\u0000${query.format}|${scopeOf(query) ?? ''}|${query.page}|${query.limit}|${query.explicitLimit}`;
}
