// The store interface: articles grouped by section, newest first. Drivers implement it
// (memory on Node and in tests; a Workers-binding driver later), and every driver passes
// tests/store/driver-contract.ts. Methods may answer with a value or a promise.
import type { ArticleContent, ArticleMeta } from '../article/types.ts';
import type { TermKind } from './terms.ts';

export type Promisable<T> = T | Promise<T>;

/**
 * What a store is given: an article with its body and summary, or without them for a store that
 * loads them from where they live (see `FeedStore.content`); such a store tells versions apart by
 * `contentHash`.
 */
export type ArticleInput = ArticleMeta & Partial<ArticleContent>;

/** An article as published: with its unique page slug and its section's display name. No body: see `FeedStore.content`. */
export interface ListedArticle {
  article: ArticleMeta;
  /**
   * Names this version of the article (content and metadata) within the store: it changes
   * whenever a put changes the article. Caches of rendered items key on it with `slug` and
   * `sectionName`, which other articles can change.
   */
  version: string;
  /** Unique within the section: the article's slug, or the slug plus a suffix on collision. */
  slug: string;
  /** The section's display name (the spelling most of its articles use). */
  sectionName: string;
}

/**
 * An item's markup as a driver keeps it beside the article (D1 writes it at publish time, see
 * feed-items.ts), so a feed request assembles documents instead of rendering items.
 */
export interface Rendition {
  /** What the markup was rendered for (item-cache.ts `renditionKey`): used only when it still matches. */
  key: string;
  markup: string;
  /** Whether the item carries a body (RSS declares xmlns:dc when any item does). */
  hasBody: boolean;
}

export interface SectionInfo {
  slug: string;
  name: string;
  articles: number;
  /** Newest `updatedAt` of its articles. */
  updatedAt: Date;
}

export interface Rejection {
  path: string;
  reason: string;
}

export interface ListOptions {
  /** Section slug; omitted = all sections combined. */
  section?: string;
  /**
   * Tag slug (terms.ts): only the articles carrying that tag. At most one of `section`, `tag`
   * and `author` is given.
   */
  tag?: string;
  /** Author slug (terms.ts): only the articles by that author. */
  author?: string;
  /** At most this many items; 0 for none (just the total). */
  limit: number;
  /** Items to skip; default 0. */
  offset?: number;
}

export interface ArticlePage {
  items: ListedArticle[];
  /** Articles in the section (or overall), for paging. */
  total: number;
  /**
   * What `changedAt(section)` would answer, read with the page: a driver over a database sends
   * both in one round trip (D1 does). Absent: ask `changedAt`.
   */
  changedAt?: Date | null;
  /** With `tag` or `author`: the term's display name (the spelling most of its articles use). */
  termName?: string;
}

/** What a put did: published/updated/removed (a draft that was published), or refused with a reason. */
export type PutResult =
  | { ok: true; change: 'added' | 'updated' | 'removed' | 'unchanged' | 'scheduled' }
  | { ok: false; reason: string };

export interface StoreStatus {
  articles: number;
  sections: SectionInfo[];
  rejected: Rejection[];
  /** Articles dated in the future, waiting for their time (not counted in `articles`). */
  scheduled: number;
  /** When published content last changed (as `revision()` tracks it); null before that. */
  updatedAt: Date | null;
}

export interface FeedStore {
  // Scheduled publishing: an article whose publishedAt is later than the store's clock is kept
  // out of every answer until that time, then published as if put then (Hugo and WordPress
  // behave the same). Drivers check for due articles on each read, so no timer is needed to
  // serve them; `nextScheduledAt` lets an entry point wake up to log and notify at that time.
  /**
   * Adds or replaces the article at `article.path`. A draft removes a published version.
   * An id already used by another path is refused (`ok: false`) and recorded as a rejection;
   * it is published if that other article goes away.
   * A successful put clears any rejection recorded for the path. Invalid dates are refused too.
   * Returned articles are read-only: drivers keep their own copy of what was put.
   */
  put(article: ArticleInput): Promisable<PutResult>;
  /**
   * Removes the article at `path` (and any rejection, or version waiting for its id, for it).
   * Returns whether anything changed.
   */
  remove(path: string): Promisable<boolean>;
  /**
   * Records that `path` failed to parse. A previously published version stays published;
   * a version waiting for its id is dropped (it is older than the file that now fails).
   */
  reject(path: string, reason: string): Promisable<void>;
  /** Sections sorted by slug. */
  listSections(): Promisable<SectionInfo[]>;
  /**
   * Every tag or every author of published articles, sorted by slug, as sections are listed:
   * `slug` folded (terms.ts), `name` the spelling most of its articles use (on a tie, the first).
   */
  listTerms(kind: TermKind): Promisable<SectionInfo[]>;
  /** Newest first (publishedAt descending, then path ascending). */
  list(options: ListOptions): Promisable<ArticlePage>;
  /** The article published at `/{section}/{slug}`. */
  find(section: string, slug: string): Promisable<ListedArticle | undefined>;
  /** The published article parsed from `path`, if any (without its body and summary). */
  get(path: string): Promisable<ArticleMeta | undefined>;
  /**
   * The body and summary of the article published at `path`, from wherever the driver keeps or
   * finds them (memory, the file read again, a database row); undefined when there is none or it
   * can no longer be read. Callers cache it (see http/content-cache.ts), keyed by `version`.
   */
  content(path: string): Promisable<ArticleContent | undefined>;
  /**
   * Optional: the item markup of `kind` (item-cache.ts `kindName`) kept for each of `paths`, by
   * path; paths without any are left out. Drivers that keep none do not implement it.
   */
  renditions?(paths: string[], kind: string): Promise<Map<string, Rendition>>;
  /**
   * Live articles published on each of `days` consecutive days (UTC) from `start` (a midnight),
   * oldest first: the /status chart. Optional: without it the app pages through `list`, which on a
   * large archive reads every recent article (the D1 store counts index ranges instead).
   */
  publishedPerDay?(start: Date, days: number): Promise<number[]>;
  status(): Promisable<StoreStatus>;
  /**
   * A number that changes whenever what `list({ section })` returns may have changed
   * (any change at all when `section` is omitted). `section` may also name a tag's or an
   * author's listing (terms.ts `termScope`: `tag:{slug}`), for `list({ tag })` and `list({ author })`. Renderers cache on it. Rejections and
   * refused or unchanged puts leave it alone; so does a change in another section.
   */
  revision(section?: string): Promisable<number>;
  /**
   * When what `list({ section })` returns last changed (any section when omitted), by the
   * store's clock; null for a section that never existed. Moves with `revision`. Entry points
   * with several processes (Workers isolates) derive Last-Modified from it, so they agree.
   */
  changedAt(section?: string): Promisable<Date | null>;
  /** When the next scheduled article is due, or null when none is waiting. */
  nextScheduledAt(): Promisable<Date | null>;
}
