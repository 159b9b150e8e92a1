// Feed documents from the store. Each document (format x section x page x limit) is assembled
// once per change of its section, from its frame and its items as the item cache keeps them
// (item-cache.ts: each item is rendered once per article version), and served from cached bytes
// until the next change; compressed variants are made once, on first demand, and kept with it.
import type { SiteConfig } from '../site/config.ts';
import { createContentCache, type ContentCache } from './content-cache.ts';
import { NotFoundError } from '../errors.ts';
import { createItemCache, type ItemMediaOptions, type ItemMode } from './item-cache.ts';
import { renderFeedFrame, type FeedFrame } from '../feed/fragments.ts';
import type { FeedMeta, FeedPaging } from '../feed/types.ts';
import type { FeedStore, ListedArticle } from '../store/types.ts';
import { termScope } from '../store/terms.ts';
import { absolute, feedPath, pagePath, termFeedPath, termPath } from '../site/url-scheme.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS, type FeedFormat } from '../feed/formats.ts';

export type Encoding = 'br' | 'gzip';
export type Encoder = (data: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;

/** One feed document as a client asks for it. `limit` is explicit when the URL carries it. */
export interface FeedQuery {
  format: FeedFormat;
  section?: string;
  /** A tag's feed (tag slug); at most one of `section`, `tag` and `author` is given. */
  tag?: string;
  /** An author's feed (author slug). */
  author?: string;
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
const encoder = new TextEncoder();
// Bumped when what a document's ETag is computed from changes.
const FRAME_DIGEST = 'doc-1';

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
    // Items come rendered from the item cache; only the frame around them is made here.
    let document = await assemble(format, meta, 'full', listed.items);
    let summariesOnly = false;
    if (document.bytes > maxBytes) {
      // Over budget: keep every item (none may be lost), drop to summaries, which link to the article.
      summariesOnly = true;
      document = await assemble(format, meta, 'summary', listed.items);
      if (document.bytes > maxBytes && !overBudget.has(key)) {
        overBudget.add(key);
        log(`[feeds] ${meta.links[format]} is ${document.bytes} bytes with summaries only, over the ${maxBytes}-byte budget: lower FEED_LIMIT`);
      }
    }
    const hash = await document.digest();
    if (previous && previous.etag === `"${hash}"`) return previous;
    const body = document.join();
    // Last-Modified is when the store says the section changed, so every process serving the
    // same store agrees. HTTP dates have one-second resolution: a change within the second of
    // the previous one must still move it, or If-Modified-Since would answer 304 for new bytes.
    const changed = (listed.changedAt !== undefined ? listed.changedAt : await store.changedAt(scope))?.getTime() ?? now();
    const second = Math.floor(changed / 1000) * 1000;
    const lastModified = new Date(Math.max(second, (previous?.lastModified.getTime() ?? -Infinity) + 1000));
    const variants = new Map<Encoding, Promise<Uint8Array<ArrayBuffer>>>();
    const feed: RenderedFeed = {
      body,
      contentType: FORMAT_DEFINITIONS[format].contentType,
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
          const made = await variant;
          // Count the variant against the cache's budget while the document is still the one kept.
          const kept = lru.get(key) as CachedDocument | undefined;
          if (kept?.feed === feed) lru.set(key, kept, documentBytes(kept.feed.body) + (made.byteLength));
        }
        return { body: await variant, etag: `"${hash}-${encoding}"` };
      },
    };
    return feed;
  }

  /** The document of `format` for `items` in `mode`: its frame, and its items from the item cache. */
  async function assemble(format: FeedFormat, meta: FeedMeta, mode: ItemMode, items: ListedArticle[]) {
    let withBodies = FORMAT_DEFINITIONS[format].dependsOnBodies && mode === 'full';
    let parts = await itemCache.parts({ format, mode, withBodies }, items);
    // Such a format (RSS: xmlns:dc) writes its documents differently when no item has a body.
    if (withBodies && !parts.some((part) => part.hasBody)) {
      withBodies = false;
      parts = await itemCache.parts({ format, mode, withBodies }, items);
    }
    const frame = renderFeedFrame(format, meta, withBodies);
    const pieces = parts.length === 0 ? [encoder.encode(frame.empty)] : framed(frame, parts.map((part) => part.bytes));
    return {
      bytes: pieces.reduce((sum, piece) => sum + piece.byteLength, 0),
      /** Names the bytes without hashing them all: the frame's text and each item's digest. */
      digest: () => digest(encoder.encode([FRAME_DIGEST, frame.head, frame.separator, frame.tail, frame.empty, ...parts.map((part) => part.digest)].join('\u0000'))),
      join: () => concat(pieces),
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

/** What the store calls the listing `query` reads (revision, changedAt): a section slug or a term's scope; undefined for all. */
function scopeOf(query: FeedQuery): string | undefined {
  if (query.tag !== undefined) return termScope('tag', query.tag);
  if (query.author !== undefined) return termScope('author', query.author);
  return query.section;
}

function cacheKey(query: FeedQuery): string {
  return `doc\u0000${query.format}|${scopeOf(query) ?? ''}|${query.page}|${query.limit}|${query.explicitLimit}`;
}

/** The canonical query string of a feed document: `?page=N` past page 1, `limit=L` when asked for. */
export function feedQueryString(page: number, limit: number, explicitLimit: boolean): string {
  const params = [page > 1 ? `page=${page}` : '', explicitLimit ? `limit=${limit}` : ''].filter(Boolean);
  return params.length > 0 ? `?${params.join('&')}` : '';
}

/** A document's meta, which carries its URL in every registered format. */
type DocumentMeta = FeedMeta & { links: Record<FeedFormat, string> };

function feedMeta(site: SiteConfig, query: FeedQuery, lastPage: number, hubs: string[], items: ListedArticle[], termName?: string): DocumentMeta {
  const { section, page, limit, explicitLimit } = query;
  const term = query.tag !== undefined ? { kind: 'tag' as const, slug: query.tag } : query.author !== undefined ? { kind: 'author' as const, slug: query.author } : undefined;
  const pathOf = (format: FeedFormat) => (term ? termFeedPath(format, term.kind, term.slug) : feedPath(format, section));
  const linksFor = (target: number) =>
    Object.fromEntries(
      FEED_FORMATS.map((format) => [format, absolute(site, pathOf(format)) + feedQueryString(target, limit, explicitLimit)]),
    ) as Record<FeedFormat, string>;
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
  // What every feed's meta carries besides its id, title, description and home page.
  const shared = { links: linksFor(page), ...(paging ? { paging } : {}), hubs, stylesheet: absolute(site, '/feed.css'), language: site.language, updated: new Date(updated) };
  if (term) {
    const name = termName ?? term.slug;
    return {
      // Distinct from every section feed's id: no section slug contains a "/".
      id: `tag:${site.idAuthority},2026:feed${termPath(term.kind, term.slug).replace(/\/$/, '')}`,
      title: `${site.title} — ${term.kind}: ${name}`,
      description: term.kind === 'tag' ? `Latest articles tagged ${name} from ${site.title}` : `Latest articles by ${name} from ${site.title}`,
      homeUrl: absolute(site, termPath(term.kind, term.slug)),
      ...shared,
    };
  }
  return {
    id: `tag:${site.idAuthority},2026:feed${section === undefined ? '' : `/${section}`}`,
    title: sectionName === undefined || section === undefined ? site.title : `${sectionName} | ${site.title}`,
    description:
      sectionName === undefined || section === undefined
        ? `Latest articles from ${site.title}`
        : `Latest ${sectionName} articles from ${site.title}`,
    homeUrl: absolute(site, pagePath(section)),
    ...shared,
  };
}

/** The document's pieces in order: head, items with separators between them, tail. */
function framed(frame: FeedFrame, items: Uint8Array[]): Uint8Array[] {
  const separator = encoder.encode(frame.separator);
  const pieces: Uint8Array[] = [encoder.encode(frame.head)];
  items.forEach((item, index) => pieces.push(...(index === 0 ? [item] : [separator, item])));
  pieces.push(encoder.encode(frame.tail));
  return pieces;
}

function concat(pieces: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.byteLength, 0));
  let offset = 0;
  for (const piece of pieces) {
    bytes.set(piece, offset);
    offset += piece.byteLength;
  }
  return bytes;
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
