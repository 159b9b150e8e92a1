// One section as the memory driver holds it: an ArticleIndex (newest first, display name, newest
// update) with the articles' page slugs.
import type { ArticleMeta } from '../article/types.ts';
import { SlugIndex, type SlugEntry } from './slugs.ts';
import { ArticleIndex, type RankedEntry } from './article-index.ts';

/** A published article with its sort keys and resolved slug. Sort keys never change once made. */
export interface IndexEntry extends SlugEntry, RankedEntry {
  readonly article: ArticleMeta;
  /** The store's name for this version (ListedArticle.version). */
  readonly version: string;
  readonly section: SectionIndex;
}

export { newestFirst } from './article-index.ts';

/** A section: its articles (see ArticleIndex) and their page slugs, unique within it. */
export class SectionIndex extends ArticleIndex<IndexEntry> {
  readonly #slugs = new SlugIndex<IndexEntry>();

  override add(entry: IndexEntry): void {
    super.add(entry, entry.article.section);
    this.#slugs.add(entry);
  }

  override delete(entry: IndexEntry): boolean {
    if (!super.delete(entry, entry.article.section)) return false;
    this.#slugs.delete(entry);
    return true;
  }

  find(slug: string): IndexEntry | undefined {
    return this.#slugs.find(slug);
  }
}
