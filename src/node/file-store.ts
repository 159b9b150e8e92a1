// The Node store: the memory driver, lean, over the articles folder. Bodies and summaries stay in
// the files and are read again (through the app's bounded cache) when a page or feed needs them.
import type { ParseOptions } from '../article/types.ts';
import { createMemoryStore, type MemoryStore } from '../store/drivers/memory.ts';
import { readArticleContent } from './intake/read-body.ts';

export interface FileStoreOptions {
  /** Real path of the articles folder. */
  dir: string;
  parseOptions: ParseOptions;
  /** The store's clock (see createMemoryStore). */
  now?: () => Date;
  /** Told when a file no longer matches the version the store holds (the intake reads it again). */
  onStale?: (path: string) => void;
  /** Told when the article of a path is no longer published (the app's cache forgets it). */
  onUnpublished?: (path: string) => void;
}

/**
 * Creates a memory store that keeps no bodies: `content(path)` reads and parses the file again.
 * A file changed since it was indexed gives its new content (and `onStale` is told); one that is
 * gone or no longer parses gives none, and the article is served without its text until the
 * intake catches up (or, for a file that turned bad, until it is fixed), unless the cache still
 * holds it.
 */
export function createFileStore({ dir, parseOptions, now, onStale, onUnpublished }: FileStoreOptions): MemoryStore {
  return createMemoryStore({
    ...(now ? { now } : {}),
    ...(onUnpublished ? { onUnpublished } : {}),
    loadContent(article) {
      const read = readArticleContent(dir, article.path, parseOptions);
      if (read?.hash !== article.contentHash) onStale?.(article.path);
      return read && { html: read.html, summary: read.summary };
    },
  });
}
