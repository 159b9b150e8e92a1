// A set of published articles as the memory driver holds it for a section, a tag or an author:
// newest first, the spelling most of them use for its name, and its newest update, each kept up
// to date one article at a time. SectionIndex adds page slugs; a tag's or an author's is this alone.
import { compareStrings, SortedList, type Compare } from './sorted.ts';
import { Spellings } from './spellings.ts';
import type { SectionInfo } from './types.ts';

/** What the index needs of an article: its path and its dates in epoch milliseconds. */
export interface RankedEntry {
  readonly path: string;
  /** `publishedAt`. */
  readonly published: number;
  /** `updatedAt`. */
  readonly updated: number;
}

/** Newest first: publishedAt descending, then path ascending. */
export const newestFirst: Compare<RankedEntry> = (a, b) => b.published - a.published || compareStrings(a.path, b.path);

/** A set of articles newest first; a tag's or an author's index is one of these (its entries are the memory driver's). */
export class ArticleIndex<E extends RankedEntry = RankedEntry> {
  /** Newest first. Read-only outside this class. */
  readonly entries = new SortedList<E>(newestFirst);
  /** How many articles spell the name each way. */
  readonly #spellings = new Spellings();
  #newestUpdate = -Infinity;
  #newestUpdateStale = false;

  constructor(readonly slug: string) {}

  /** The spelling most of its articles use; on a tie, the one sorting first. */
  get name(): string {
    return this.#spellings.leader;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds `entry`, whose article spells this name `spelling`. */
  add(entry: E, spelling: string): void {
    this.entries.add(entry);
    this.#spellings.count(spelling, 1);
    if (entry.updated > this.#newestUpdate) this.#newestUpdate = entry.updated;
  }

  /** Removes `entry`; false when it was not there. */
  delete(entry: E, spelling: string): boolean {
    if (!this.entries.delete(entry)) return false;
    this.#spellings.count(spelling, -1);
    // Finding the next newest takes a scan; leave it until someone asks.
    if (entry.updated >= this.#newestUpdate) this.#newestUpdateStale = true;
    return true;
  }

  info(): SectionInfo {
    if (this.#newestUpdateStale) {
      this.#newestUpdate = -Infinity;
      for (const entry of this.entries) if (entry.updated > this.#newestUpdate) this.#newestUpdate = entry.updated;
      this.#newestUpdateStale = false;
    }
    return { slug: this.slug, name: this.name, articles: this.entries.size, updatedAt: new Date(this.#newestUpdate) };
  }
}
