// Feed documents from the store: builds the renderers' input and keeps each rendered feed
// until the store says its section changed, so requests between changes serve cached bytes.
import type { SiteConfig } from './config.ts';
import { renderAtom } from './feed/atom.ts';
import { renderJsonFeed } from './feed/json-feed.ts';
import { renderRss } from './feed/rss.ts';
import type { FeedItem, FeedMeta } from './feed/types.ts';
import type { FeedStore, ListedArticle } from './store/types.ts';
import { FEED_FILES, absolute, articlePath, feedPath, pagePath, type FeedFormat } from './urls.ts';

export interface RenderedFeed {
  /** The document, UTF-8 encoded once at render time. */
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Strong entity tag of `body`, quoted. */
  etag: string;
  /** When `body` last changed: moves forward by at least a second on every change, never back. */
  lastModified: Date;
}

export interface FeedCacheOptions {
  store: FeedStore;
  site: SiteConfig;
  feedLimit: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface FeedCache {
  /** The feed of one section (or of all, with no section); undefined for an unknown section. */
  get(format: FeedFormat, section?: string): Promise<RenderedFeed | undefined>;
}

const RENDERERS = { rss: renderRss, atom: renderAtom, json: renderJsonFeed } as const;

/** Creates the cache of rendered feeds over `store`. */
export function createFeedCache({ store, site, feedLimit, now = Date.now }: FeedCacheOptions): FeedCache {
  const cache = new Map<string, { revision: number; feed: RenderedFeed }>();

  return {
    async get(format, section) {
      const key = `${format}:${section ?? ''}`;
      // Read the revision before the items: a change landing in between only costs a re-render later.
      const revision = await store.revision(section);
      const cached = cache.get(key);
      if (cached && cached.revision === revision) return cached.feed;

      const page = await store.list({ section, limit: feedLimit });
      if (section !== undefined && page.total === 0) return undefined;
      const items = page.items.map((listed) => toFeedItem(site, listed));
      const body = new TextEncoder().encode(RENDERERS[format](feedMeta(site, items, section, page.items[0]?.sectionName), items));
      const etag = await entityTag(body);
      if (cached && cached.feed.etag === etag) {
        cache.set(key, { revision, feed: cached.feed });
        return cached.feed;
      }
      // HTTP dates have one-second resolution: a change within the second of the previous one
      // must still move Last-Modified, or If-Modified-Since would answer 304 for new bytes.
      const second = Math.floor(now() / 1000) * 1000;
      const previous = cached?.feed.lastModified.getTime() ?? -Infinity;
      const lastModified = new Date(Math.max(second, previous + 1000));
      const feed = { body, contentType: FEED_FILES[format].contentType, etag, lastModified };
      cache.set(key, { revision, feed });
      return feed;
    },
  };
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

function feedMeta(site: SiteConfig, items: FeedItem[], section?: string, sectionName?: string): FeedMeta {
  const links = {
    rss: absolute(site, feedPath('rss', section)),
    atom: absolute(site, feedPath('atom', section)),
    json: absolute(site, feedPath('json', section)),
  };
  // Feed-level updated is the newest item's date, never "now": unchanged content, unchanged bytes.
  const updated = items.reduce((newest, item) => Math.max(newest, item.updatedAt.getTime(), item.publishedAt.getTime()), 0);
  return {
    id: `tag:${site.idAuthority},2026:feed${section === undefined ? '' : `/${section}`}`,
    title: sectionName === undefined ? site.title : `${sectionName} | ${site.title}`,
    description:
      sectionName === undefined ? `Latest articles from ${site.title}` : `Latest ${sectionName} articles from ${site.title}`,
    homeUrl: absolute(site, pagePath(section)),
    links,
    language: site.language,
    updated: new Date(updated),
  };
}

async function entityTag(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', body);
  const hex = Array.from(new Uint8Array(digest).subarray(0, 12), (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}
