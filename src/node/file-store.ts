// The Node store: the memory driver, lean, over the articles folder. Bodies stay in the files and
// are read again (through the app's bounded cache) when a page or feed needs them.
import type { ParseOptions } from '../article/types.ts';
import { createMemoryStore, type MemoryStore } from '../store/drivers/memory.ts';
import { readArticleBody } from './intake/read-body.ts';

export interface FileStoreOptions {
  /** Real path of the articles folder. */
  dir: string;
  parseOptions: ParseOptions;
  /** The store's clock (see createMemoryStore). */
  now?: () => Date;
  /** Told when a file no longer matches the version the store holds (the intake reads it again). */
  onStale?: (path: string) => void;
}

/**
 * Creates a memory store that keeps no bodies: `body(path)` reads and parses the file again. A
 * file changed since it was indexed gives its new body (and `onStale` is told); one that is gone
 * or no longer parses gives none, and the article is served with its summary until the intake
 * catches up (or, for a file that turned bad, until it is fixed).
 */
export function createFileStore({ dir, parseOptions, now, onStale }: FileStoreOptions): MemoryStore {
  return createMemoryStore({
    ...(now ? { now } : {}),
    loadBody(article) {
      const read = readArticleBody(dir, article.path, parseOptions);
      if (read?.hash !== article.contentHash) onStale?.(article.path);
      return read?.html;
    },
  });
}
