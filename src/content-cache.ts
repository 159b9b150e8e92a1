// The bounded cache between the store and what is served: article bodies (which a lean store does
// not hold), rendered feed items and feed documents, in one least-recently-used list bounded by
// bytes (CACHE_MAX_BYTES). Keys name a version, so nothing here is ever invalidated: a changed
// article has a new version, and what was cached for the old one ages out.
import type { FeedStore, ListedArticle } from './store/types.ts';

export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/** A least-recently-used map bounded by the bytes its entries say they hold. */
export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

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
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Adds or replaces `key`. An entry larger than the whole budget is not kept. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}

export interface ContentCache {
  /** The shared list: other caches of the app (feed items, documents) keep their entries in it too. */
  readonly lru: ByteLru<unknown>;
  /** The body of a listed article: from the cache, or the store (then kept). Undefined when the store has none. */
  body(listed: ListedArticle): Promise<string | undefined>;
  /** Bodies of several articles, in order, fetched from the store together. */
  bodies(listed: ListedArticle[]): Promise<(string | undefined)[]>;
}

/** Creates the cache over `store`, holding at most `maxBytes` (default 64 MiB). */
export function createContentCache(store: FeedStore, maxBytes = DEFAULT_CACHE_MAX_BYTES): ContentCache {
  const lru = new ByteLru<unknown>(maxBytes);
  const bodyKey = (listed: ListedArticle) => `body\u0000${listed.article.path}\u0000${listed.version}`;

  async function body(listed: ListedArticle): Promise<string | undefined> {
    const key = bodyKey(listed);
    const cached = lru.get(key);
    if (typeof cached === 'string') return cached;
    const loaded = await store.body(listed.article.path);
    // UTF-16 in memory: two bytes per code unit is what a string costs.
    if (loaded !== undefined) lru.set(key, loaded, loaded.length * 2 + 64);
    return loaded;
  }

  return {
    lru,
    body,
    bodies: (listed) => Promise.all(listed.map(body)),
  };
}
