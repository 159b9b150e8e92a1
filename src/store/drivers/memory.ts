// The in-memory FeedStore: the default on Node and in tests. Each section keeps its articles in
// sorted lists updated one article at a time, so a put or remove never re-sorts anything.
// Given a body loader it keeps no bodies at all (the lean store: what ordering, paging, slugs,
// ids and the status page need); without one it keeps them, for tests and small sets.
import type { ArticleContent, ArticleMeta } from '../../article/types.ts';
import type {
  ArticleInput,
  ArticlePage,
  FeedStore,
  ListedArticle,
  ListOptions,
  PutResult,
  Rejection,
  SectionInfo,
  Promisable,
  StoreStatus,
} from '../types.ts';
import { newestFirst, SectionIndex, type IndexEntry } from '../section-index.ts';
import { compareStrings, insertSorted, removeSorted, SortedList } from '../sorted.ts';
import { deepEqual, frozenCopy } from '../values.ts';
import { Schedule } from '../schedule.ts';
import { WaitingRoom } from '../waiting-room.ts';
import { idTaken, planPut, toCount, type PutPlan } from '../rules.ts';
import { articleTerms, termScope, type TermKind } from '../terms.ts';
import { ArticleIndex } from '../article-index.ts';

export interface MemoryStoreOptions {
  /** Clock for `status().updatedAt`; defaults to the system clock. */
  now?: () => Date;
  /**
   * Where `content` finds an article's body and summary (on Node: its file, read and parsed
   * again). Given, the store keeps neither, and a put is "unchanged" only when its `contentHash`
   * is the same.
   */
  loadContent?: (article: ArticleMeta) => Promisable<ArticleContent | undefined>;
  /** Told when the article published at a path goes away (removed, a draft now, or scheduled again). */
  onUnpublished?: (path: string) => void;
}

/** A FeedStore whose answers are plain values, never promises. */
export interface MemoryStore extends FeedStore {
  put(article: ArticleInput): PutResult;
  remove(path: string): boolean;
  reject(path: string, reason: string): void;
  listSections(): SectionInfo[];
  listTerms(kind: TermKind): SectionInfo[];
  list(options: ListOptions): ArticlePage;
  find(section: string, slug: string): ListedArticle | undefined;
  get(path: string): ArticleMeta | undefined;
  status(): StoreStatus;
  revision(section?: string): number;
  changedAt(section?: string): Date | null;
  nextScheduledAt(): Date | null;
}

/** One tag or author: its articles newest first, display name and newest update (no page slugs: pages are under sections). */
type TermIndex = ArticleIndex<IndexEntry>;

const bySlug = (a: { slug: string }, b: { slug: string }): number => compareStrings(a.slug, b.slug);


/**
 * Creates an empty store held in memory. Answers synchronously. Articles are stored as
 * frozen copies, so changing an article after `put` does not change the store.
 *
 * @example
 * const store = createMemoryStore();
 * store.put(article);
 * store.list({ section: 'politics', limit: 20 });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? (() => new Date());
  const { loadContent } = options;
  /** Bodies and summaries by path, kept only without a loader. */
  const contents = new Map<string, ArticleContent>();
  let versions = 0;
  const published = new Map<string, IndexEntry>();
  /** Every published article, newest first. */
  const all = new SortedList<IndexEntry>(newestFirst);
  const sections = new Map<string, SectionIndex>();
  /** The same sections, sorted by slug. */
  const sectionList: SectionIndex[] = [];
  /** Tags and authors by slug, and the same sorted by slug. */
  const terms: Record<TermKind, { bySlug: Map<string, TermIndex>; sorted: TermIndex[] }> = {
    tag: { bySlug: new Map(), sorted: [] },
    author: { bySlug: new Map(), sorted: [] },
  };
  /** Published id -> the path publishing it. */
  const idOwners = new Map<string, string>();
  const waiting = new WaitingRoom();
  const rejections = new Map<string, string>();
  /** Articles dated in the future, waiting for their time. */
  const schedule = new Schedule();
  /** Bumped once per change to published content; sections keep the value of their last change. */
  let clock = 0;
  const sectionRevisions = new Map<string, number>();
  const sectionChangedAt = new Map<string, Date>();
  const touched = new Set<string>();
  let updatedAt: Date | null = null;

  function index(article: ArticleMeta): void {
    let section = sections.get(article.sectionSlug);
    if (section === undefined) {
      section = new SectionIndex(article.sectionSlug);
      sections.set(section.slug, section);
      insertSorted(sectionList, section, bySlug);
    }
    const entry: IndexEntry = {
      article,
      version: String((versions += 1)),
      section,
      path: article.path,
      published: article.publishedAt.getTime(),
      updated: article.updatedAt.getTime(),
      base: article.slug,
      slug: article.slug,
    };
    published.set(entry.path, entry);
    all.add(entry);
    section.add(entry);
    idOwners.set(article.id, entry.path);
    touched.add(section.slug);
    for (const { kind, slug, name } of articleTerms(article)) {
      const { bySlug: indexes, sorted } = terms[kind];
      let term = indexes.get(slug);
      if (term === undefined) {
        term = new ArticleIndex<IndexEntry>(slug);
        indexes.set(slug, term);
        insertSorted(sorted, term, bySlug);
      }
      term.add(entry, name);
      touched.add(termScope(kind, slug));
    }
  }

  function unindex(entry: IndexEntry): void {
    const { section } = entry;
    published.delete(entry.path);
    contents.delete(entry.path);
    all.delete(entry);
    section.delete(entry);
    if (section.size === 0) {
      sections.delete(section.slug);
      removeSorted(sectionList, section, bySlug);
    }
    if (idOwners.get(entry.article.id) === entry.path) idOwners.delete(entry.article.id);
    touched.add(section.slug);
    for (const { kind, slug, name } of articleTerms(entry.article)) {
      const { bySlug: indexes, sorted } = terms[kind];
      const term = indexes.get(slug);
      if (term === undefined) continue;
      term.delete(entry, name);
      if (term.size === 0) {
        indexes.delete(slug);
        removeSorted(sorted, term, bySlug);
      }
      touched.add(termScope(kind, slug));
    }
  }

  /** Publishes `article`, replacing its path's current version. Its id must be free or its own. */
  function publish(input: ArticleInput): void {
    const previous = published.get(input.path);
    if (previous !== undefined) unindex(previous);
    const { html = '', summary = '', ...article } = input;
    index(Object.freeze(article));
    if (!loadContent) contents.set(article.path, { html, summary });
    if (previous !== undefined && previous.article.id !== article.id) release(previous.article.id);
  }

  function unpublish(path: string): boolean {
    const entry = published.get(path);
    if (entry === undefined) return false;
    unindex(entry);
    release(entry.article.id);
    options.onUnpublished?.(path);
    return true;
  }

  /** `id` is no longer published: publish the article waiting for it, if any. */
  function release(id: string): void {
    if (idOwners.has(id)) return;
    const article = waiting.first(id);
    if (article === undefined) return;
    waiting.delete(article.path);
    rejections.delete(article.path);
    publish(article);
    // The others keep waiting, now for the promoted article's id.
    for (const path of waiting.paths(id)) rejections.set(path, idTaken(id, article.path));
  }

  function refuse(path: string, reason: string): PutResult {
    rejections.set(path, reason);
    return { ok: false, reason };
  }

  /** Ends an operation: one revision for all it changed. */
  function commit(): void {
    if (touched.size === 0) return;
    clock += 1;
    updatedAt = now();
    for (const slug of touched) {
      sectionRevisions.set(slug, clock);
      sectionChangedAt.set(slug, updatedAt);
    }
    touched.clear();
  }

  /** The store's own copy of an input: frozen, and without body and summary when they are loaded. */
  function kept(input: ArticleInput): ArticleInput {
    if (!loadContent) return frozenCopy(input);
    const { html: _html, summary: _summary, ...meta } = input;
    return frozenCopy(meta);
  }

  /** Whether `input` is what `current` already publishes, body included. */
  function same(current: IndexEntry, input: ArticleInput): boolean {
    const { html = '', summary = '', ...meta } = input;
    if (!deepEqual(current.article, meta)) return false;
    // Without the old body at hand, only the source's hash can tell that the body is the same.
    if (loadContent) return meta.contentHash !== undefined;
    const content = contents.get(current.path);
    return content?.html === html && content.summary === summary;
  }

  /** A put of an article due now (or a draft, or one refused for its dates). */
  function putNow(input: ArticleInput, plan: PutPlan): PutResult {
    const { path } = input;
    if (plan.kind === 'draft') {
      rejections.delete(path);
      waiting.delete(path);
      const removed = unpublish(path);
      commit();
      return { ok: true, change: removed ? 'removed' : 'unchanged' };
    }
    if (plan.kind === 'invalid') {
      // Like a file that fails to parse: the last good version stays published.
      waiting.delete(path);
      return refuse(path, plan.reason);
    }
    const owner = idOwners.get(input.id);
    if (owner !== undefined && owner !== path) {
      waiting.add(kept(input));
      return refuse(path, idTaken(input.id, owner));
    }
    rejections.delete(path);
    waiting.delete(path);
    const current = published.get(path);
    if (current !== undefined && same(current, input)) {
      return { ok: true, change: 'unchanged' };
    }
    publish(kept(input));
    commit();
    return { ok: true, change: current === undefined ? 'added' : 'updated' };
  }

  /** Publishes every scheduled article whose time has come; called at the start of each read. */
  function promoteDue(): void {
    for (const article of schedule.takeDue(now().getTime())) putNow(article, { kind: 'publish' });
  }

  function listed(entry: IndexEntry): ListedArticle {
    return { article: entry.article, version: entry.version, slug: entry.slug, sectionName: entry.section.name };
  }

  function listSections(): SectionInfo[] {
    return sectionList.map((section) => section.info());
  }

  return {
    put(input: ArticleInput): PutResult {
      promoteDue();
      schedule.delete(input.path);
      const plan = planPut(input, now().getTime());
      if (plan.kind === 'scheduled') {
        // Scheduled: out of every answer until its time. A published version goes now, as an
        // edit that moves an article into the future takes it off the site until then.
        rejections.delete(input.path);
        waiting.delete(input.path);
        schedule.add(kept(input));
        unpublish(input.path);
        commit();
        return { ok: true, change: 'scheduled' };
      }
      return putNow(input, plan);
    },

    remove(path: string): boolean {
      promoteDue();
      const unscheduled = schedule.delete(path);
      const unwaited = waiting.delete(path);
      const unrejected = rejections.delete(path);
      const unpublished = unpublish(path);
      commit();
      return unscheduled || unwaited || unrejected || unpublished;
    },

    reject(path: string, reason: string): void {
      rejections.set(path, reason);
      // A version refused earlier for its id is older than the file that now fails: drop it,
      // so that freeing the id later does not publish stale content.
      waiting.delete(path);
    },

    listSections(): SectionInfo[] {
      promoteDue();
      return listSections();
    },

    list({ section, tag, author, limit, offset = 0 }: ListOptions): ArticlePage {
      promoteDue();
      const term = tag !== undefined ? terms.tag.bySlug.get(tag) : author !== undefined ? terms.author.bySlug.get(author) : undefined;
      const scope = tag !== undefined ? termScope('tag', tag) : author !== undefined ? termScope('author', author) : section;
      const entries = tag !== undefined || author !== undefined ? term?.entries : section === undefined ? all : sections.get(section)?.entries;
      const time = scope === undefined ? updatedAt : sectionChangedAt.get(scope);
      const changedAt = time ? new Date(time.getTime()) : null;
      if (entries === undefined) return { items: [], total: 0, changedAt };
      const start = toCount(offset);
      return {
        items: entries.slice(start, start + toCount(limit)).map(listed),
        total: entries.size,
        changedAt,
        ...(term ? { termName: term.name } : {}),
      };
    },

    listTerms(kind: TermKind): SectionInfo[] {
      promoteDue();
      return terms[kind].sorted.map((term) => term.info());
    },

    find(section: string, slug: string): ListedArticle | undefined {
      promoteDue();
      const entry = sections.get(section)?.find(slug);
      return entry && listed(entry);
    },

    get(path: string): ArticleMeta | undefined {
      promoteDue();
      return published.get(path)?.article;
    },

    content(path: string): Promisable<ArticleContent | undefined> {
      promoteDue();
      const entry = published.get(path);
      if (entry === undefined) return undefined;
      return loadContent ? loadContent(entry.article) : contents.get(path);
    },

    status(): StoreStatus {
      promoteDue();
      const rejected: Rejection[] = [...rejections]
        .map(([path, reason]) => ({ path, reason }))
        .sort((a, b) => compareStrings(a.path, b.path));
      return {
        articles: published.size,
        sections: listSections(),
        rejected,
        scheduled: schedule.size,
        updatedAt: updatedAt && new Date(updatedAt.getTime()),
      };
    },

    revision(section?: string): number {
      promoteDue();
      return section === undefined ? clock : (sectionRevisions.get(section) ?? 0);
    },

    changedAt(section?: string): Date | null {
      promoteDue();
      const time = section === undefined ? updatedAt : sectionChangedAt.get(section);
      return time ? new Date(time.getTime()) : null;
    },

    nextScheduledAt(): Date | null {
      promoteDue();
      return schedule.next();
    },
  };
}
