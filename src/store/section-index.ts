// One section as the memory driver holds it: its articles newest first, their page slugs,
// its display name and its newest update, each kept up to date one article at a time.
import type { ArticleMeta } from '../article/types.ts';
import type { SectionInfo } from './types.ts';
import { SlugIndex, type SlugEntry } from './slugs.ts';
import { Spellings } from './spellings.ts';
import { compareStrings, SortedList, type Compare } from './sorted.ts';

/** A published article with its sort keys and resolved slug. Sort keys never change once made. */
export interface IndexEntry extends SlugEntry {
  readonly article: ArticleMeta;
  /** The store's name for this version (ListedArticle.version). */
  readonly version: string;
  readonly section: SectionIndex;
  /** `updatedAt` in epoch milliseconds. */
  readonly updated: number;
}

/** Newest first: publishedAt descending, then path ascending. */
export const newestFirst: Compare<IndexEntry> = (a, b) =>
  b.published - a.published || compareStrings(a.path, b.path);

export class SectionIndex {
  /** Newest first. Read-only outside this class. */
  readonly entries = new SortedList<IndexEntry>(newestFirst);
  readonly #slugs = new SlugIndex<IndexEntry>();
  /** How many articles spell `article.section` each way. */
  readonly #spellings = new Spellings();
  #newestUpdate = -Infinity;
  #newestUpdateStale = false;

  constructor(readonly slug: string) {}

  /** The spelling most articles use; on a tie, the one sorting first. */
  get name(): string {
    return this.#spellings.leader;
  }

  get size(): number {
    return this.entries.size;
  }

  add(entry: IndexEntry): void {
    this.entries.add(entry);
    this.#slugs.add(entry);
    this.#spellings.count(entry.article.section, 1);
    if (entry.updated > this.#newestUpdate) this.#newestUpdate = entry.updated;
  }

  delete(entry: IndexEntry): void {
    if (!this.entries.delete(entry)) return;
    this.#slugs.delete(entry);
    this.#spellings.count(entry.article.section, -1);
    // Finding the next newest takes a scan; leave it until someone asks.
    if (entry.updated >= this.#newestUpdate) this.#newestUpdateStale = true;
  }

  find(slug: string): IndexEntry | undefined {
    return this.#slugs.find(slug);
  }

  info(): SectionInfo {
    if (this.#newestUpdateStale) {
      this.#newestUpdate = -Infinity;
      for (const entry of this.entries) {
        if (entry.updated > this.#newestUpdate) this.#newestUpdate = entry.updated;
      }
      this.#newestUpdateStale = false;
    }
    return {
      slug: this.slug,
      name: this.name,
      articles: this.entries.size,
      updatedAt: new Date(this.#newestUpdate),
    };
  }
}
