// One tag or author as the memory driver holds it: its articles newest first, its display name
// and its newest update, kept up to date one article at a time (as section-index.ts does for a
// section, without page slugs: an article's page is always under its section).
import { newestFirst, type IndexEntry } from './section-index.ts';
import { SortedList } from './sorted.ts';
import { Spellings } from './spellings.ts';
import type { SectionInfo } from './types.ts';

export class TermIndex {
  /** Newest first. Read-only outside this class. */
  readonly entries = new SortedList<IndexEntry>(newestFirst);
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

  /** Adds `entry`, whose article spells this term `spelling`. */
  add(entry: IndexEntry, spelling: string): void {
    this.entries.add(entry);
    this.#spellings.count(spelling, 1);
    if (entry.updated > this.#newestUpdate) this.#newestUpdate = entry.updated;
  }

  delete(entry: IndexEntry, spelling: string): void {
    if (!this.entries.delete(entry)) return;
    this.#spellings.count(spelling, -1);
    if (entry.updated >= this.#newestUpdate) this.#newestUpdateStale = true;
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
