// The bounded cache between the store and what is served: article bodies (which a lean store does
// not hold), rendered feed items and feed documents, in one least-recently-used list bounded by
// bytes (CACHE_MAX_BYTES). Keys name a version, so nothing here is ever invalidated: a changed
// article has a new version, and what was cached for the old one ages out.
import type { ArticleContent } from '../article/types.ts';
import { DEFAULT_CACHE_MAX_BYTES } from '../site/config.ts';
import type { FeedStore, ListedArticle } from '../store/types.ts';

/** What a cached entry was made from: one version of one article. */
export interface Owner {
  /** The article's path. */
  path: string;
  /** Its version, as the store names it (with whatever else the entry depends on). */
  version: string;
}

/**
 * A least-recently-used map bounded by the bytes its entries say they hold. Entries may name the
 * article version they were made from: the first entry of a newer version of a path drops those
 * of the older one, which nothing will ask for again, so edits do not fill the cache with them.
 */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; bytes: number; path?: string }>();
  /** Path -> the version its entries belong to, and their keys. */
  readonly #owners = new Map<string, { version: string; keys: Set<string> }>();
  #bytes = 0;
  /** The key last moved to the end (most recently used), while it is still there. */
  #newest: string | undefined;

  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // Map order is insertion order: moving the entry to the end marks it most recently used.
    // Already there, it stays (a delete and set per hit cost more than the rest of a look-up).
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  /** The value of `key` without marking it used. */
  peek(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Adds or replaces `key`. An entry larger than the whole budget is not kept. */
  set(key: string, value: V, bytes: number, owner?: Owner): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    if (owner !== undefined) {
      let owned = this.#owners.get(owner.path);
      if (owned !== undefined && owned.version !== owner.version) {
        for (const stale of [...owned.keys]) this.delete(stale);
        owned = undefined;
      }
      if (owned === undefined) this.#owners.set(owner.path, (owned = { version: owner.version, keys: new Set() }));
      owned.keys.add(key);
    }
    this.#entries.set(key, { value, bytes, ...(owner === undefined ? {} : { path: owner.path }) });
    this.#newest = key;
    this.#bytes += bytes;
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.delete(oldest);
    }
  }

  /** Drops every entry made from a version of `path` (the article is gone). */
  forget(path: string): void {
    const owned = this.#owners.get(path);
    if (owned !== undefined) for (const key of [...owned.keys]) this.delete(key);
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    if (this.#newest === key) this.#newest = undefined;
    if (entry.path === undefined) return;
    const owned = this.#owners.get(entry.path);
    owned?.keys.delete(key);
    if (owned?.keys.size === 0) this.#owners.delete(entry.path);
  }
}

/** What a kept content costs: UTF-16 in memory is two bytes per code unit, and the object around it. */
export function contentBytes(content: ArticleContent): number {
  return (content.html.length + content.summary.length) * 2 + 96;
}

export interface ContentCache {
  /** The shared list: other caches of the app (feed items, documents) keep their entries in it too. */
  readonly lru: ByteLru<unknown>;
  /** The body and summary of a listed article: from the cache, or the store (then kept). Undefined when the store has none. */
  content(listed: ListedArticle): Promise<ArticleContent | undefined>;
  /** The same for several articles, in order, asked of the store together. */
  contents(listed: ListedArticle[]): Promise<(ArticleContent | undefined)[]>;
  /** Drops what was kept for `path`: its article is gone (stores that can tell call it). */
  forget(path: string): void;
}

/** Creates the cache over `store`, holding at most `maxBytes` (default 64 MiB). */
export function createContentCache(store: FeedStore, maxBytes = DEFAULT_CACHE_MAX_BYTES): ContentCache {
  const lru = new ByteLru<unknown>(maxBytes);
  const contentKey = (listed: ListedArticle) => `content\u0000${listed.article.path}\u0000${listed.version}`;

  /** Loads under way, so that documents asking at once read each article once. */
  const loading = new Map<string, Promise<ArticleContent | undefined>>();

  function content(listed: ListedArticle): Promise<ArticleContent | undefined> {
    const key = contentKey(listed);
    const cached = lru.get(key) as ArticleContent | undefined;
    if (cached !== undefined) return Promise.resolve(cached);
    let load = loading.get(key);
    if (load === undefined) {
      load = Promise.resolve(store.content(listed.article.path))
        .then((loaded) => {
          if (loaded !== undefined) lru.set(key, loaded, contentBytes(loaded), { path: listed.article.path, version: listed.version });
          return loaded;
        })
        .finally(() => loading.delete(key));
      loading.set(key, load);
    }
    return load;
  }

  return {
    lru,
    content,
    contents: (listed) => Promise.all(listed.map(content)),
    forget: (path) => lru.forget(path),
  };
}
