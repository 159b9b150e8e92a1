// The FeedStore on Cloudflare D1, the source of truth on Workers. It holds no state of its own
// (any number of isolates share one database) and never loads more than a page of articles.
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import type { Article, ArticleContent } from '../article/types.ts';
import { StoreError } from '../errors.ts';
import { compareStrings } from '../store/sorted.ts';
import type { ArticleInput, ArticlePage, FeedStore, ListedArticle, PutResult, Rendition, SectionInfo, StoreStatus } from '../store/types.ts';
import { toCount } from '../store/rules.ts';
import { termScope } from '../store/terms.ts';
import { listedFromRow, metaFromRow, versioned, type ListedRow, type MetaRow, type VersionedArticle } from './d1-rows.ts';
import { QUERIES } from './d1-queries.ts';
import { keepRenditions, WriteBatch, type Answer } from './d1-writes.ts';
import { assertD1Database, runWithD1Schema } from './schema.ts';

export interface D1StoreOptions {
  /** The store's clock: scheduling and `changedAt`. Defaults to the system clock. */
  now?: () => Date;
}

interface SectionRow {
  slug: string;
  name: string;
  articles: number;
  updated_at: number;
}

interface RevisionRow {
  revision: number;
  changed_at: number;
}

interface RenditionRow {
  path: string;
  key: string;
  markup: string;
  has_body: number;
}

/**
 * What the D1 publisher does besides the FeedStore interface: put and remove with more
 * statements in the same batch (the file records), and keep the item markup of what it put.
 */
export interface D1ArticleWriter {
  db: D1Database;
  put<T>(article: VersionedArticle, also: (batch: WriteBatch) => Answer<T>): Promise<[PutResult, T]>;
  remove<T>(path: string, also: (batch: WriteBatch) => Answer<T>): Promise<[boolean, T]>;
  /** Any number of writes as one gated batch (bulk publishing: many puts and file records). */
  write<T>(build: (batch: WriteBatch) => Answer<T>): Promise<T>;
  /** The live article at `path` as listings show it now. */
  listed(path: string): Promise<ListedArticle | undefined>;
  /** `listed` for many paths in one round trip. */
  listedMany(paths: readonly string[]): Promise<(ListedArticle | undefined)[]>;
  /** Keeps `renditions` for `path` while its live article is `version` (d1-writes.ts keepRenditions). */
  keepRenditions(path: string, version: string, renditions: readonly ({ kind: string } & Rendition)[]): Promise<void>;
}

const writers = new WeakMap<FeedStore, D1ArticleWriter>();

/** The writer behind a store made by createD1Store, if `store` is one. */
export function d1ArticleWriter(store: FeedStore): D1ArticleWriter | undefined {
  return writers.get(store);
}

/**
 * Creates a FeedStore over a D1 database. The schema is applied on first use (once per
 * isolate and binding). Every write is one D1 batch, so several Workers may write at once.
 *
 * @example
 * const store = createD1Store(env.DB);
 * await store.list({ section: 'politics', limit: 20 });
 */
export function createD1Store(db: D1Database, options: D1StoreOptions = {}): FeedStore {
  assertD1Database(db, '[store:d1] createD1Store');
  const now = options.now ?? (() => new Date());

  /** Runs one store operation: schema first, D1 failures wrapped with what was being done. */
  const run = <T>(operation: string, work: () => Promise<T>): Promise<T> => runWithD1Schema(db, `[store:d1] ${operation}`, work);

  /** Sends a batch, then finishes any chain of promotions too long for one batch. */
  async function send(batch: WriteBatch, time: number): Promise<unknown[][]> {
    const { rows, unsettled } = await batch.commit();
    for (let more = unsettled; more; ) more = (await new WriteBatch(db, time).commit()).unsettled;
    return rows;
  }

  /**
   * Runs a put or remove as one gated batch, built by `build` for the current time. If a
   * scheduled article is due, the batch fails whole; the due articles are published first
   * (memory.ts does the same) and the write is built and sent again.
   */
  async function write<T>(build: (batch: WriteBatch) => Answer<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const time = now().getTime();
      const batch = new WriteBatch(db, time, { gated: true });
      const answer = build(batch);
      try {
        return answer(await send(batch, time));
      } catch (error) {
        // Either the gate closed, or D1 failed: only in the first case is anything due.
        if (attempt > 3 || !(await promoteDue(time))) throw error;
      }
    }
  }

  /** Publishes every scheduled article due at `time`, one batch each, soonest first. */
  async function promoteDue(time: number): Promise<boolean> {
    let promoted = false;
    for (;;) {
      const due = await db.prepare(QUERIES.due).bind(time).all<{ path: string }>();
      if (due.results.length === 0) return promoted;
      for (const { path } of due.results) {
        const batch = new WriteBatch(db, time);
        // Staged only if still scheduled and due: a Worker that got there first wins.
        batch.stageDue(path);
        batch.publishStaged();
        await send(batch, time);
      }
      promoted = true;
    }
  }

  /**
   * Runs read statements in one round trip, checking for due articles in the same batch;
   * when some are due it publishes them first and reads again.
   */
  async function read(statements: () => D1PreparedStatement[]): Promise<unknown[][]> {
    for (;;) {
      const time = now().getTime();
      const [due, ...results] = await db.batch([db.prepare(QUERIES.due).bind(time), ...statements()]);
      if (due!.results.length === 0) return results.map((result) => result.results);
      await promoteDue(time);
    }
  }

  const query = (sql: string, ...values: unknown[]): D1PreparedStatement =>
    values.length > 0 ? db.prepare(sql).bind(...values) : db.prepare(sql);

  const toSection = (row: SectionRow): SectionInfo => ({
    slug: row.slug,
    name: row.name,
    articles: row.articles,
    updatedAt: new Date(row.updated_at),
  });
  const toSections = (rows: unknown[]): SectionInfo[] =>
    (rows as SectionRow[]).map(toSection).sort((a, b) => compareStrings(a.slug, b.slug));
  const revisionOf = (section?: string): D1PreparedStatement =>
    section === undefined ? query(QUERIES.latestRevision) : query(QUERIES.sectionRevision, section);

  const store: FeedStore = {
    put: (input) =>
      run('put', async () => {
        const article = await versioned(withBody(input));
        return write((batch) => batch.put(article));
      }),

    remove: (path) => run('remove', () => write((batch) => batch.remove(path))),

    // Not gated: memory.ts records a rejection without publishing what is due first.
    reject: (path, reason) =>
      run('reject', async () => {
        const time = now().getTime();
        const batch = new WriteBatch(db, time);
        batch.reject(path, reason);
        await send(batch, time);
      }),

    listSections: () => run('listSections', async () => toSections((await read(() => [query(QUERIES.sections)]))[0]!)),

    listTerms: (kind) => run('listTerms', async () => toSections((await read(() => [query(QUERIES.terms, kind)]))[0]!)),

    list: ({ section, tag, author, limit, offset = 0 }) =>
      run('list', async (): Promise<ArticlePage> => {
        const count = toCount(limit);
        const start = toCount(offset);
        const term = tag !== undefined ? { kind: 'tag' as const, slug: tag } : author !== undefined ? { kind: 'author' as const, slug: author } : undefined;
        const [changes, totals, items = []] = await read(() => {
          // The listing's last change comes along, so a feed needs no second round trip for it.
          if (term) {
            const statements = [revisionOf(termScope(term.kind, term.slug)), query(QUERIES.termTotal, term.kind, term.slug)];
            if (count > 0) statements.push(query(QUERIES.termPage, term.kind, term.slug, count, start));
            return statements;
          }
          const statements = [revisionOf(section), section === undefined ? query(QUERIES.allTotal) : query(QUERIES.sectionTotal, section)];
          if (count > 0) {
            statements.push(
              section === undefined
                ? query(QUERIES.allPage, count, start)
                : query(QUERIES.sectionPage, section, count, start),
            );
          }
          return statements;
        });
        const { total, name } = totals![0] as { total: number; name?: string | null };
        const changed = changes![0] as RevisionRow | undefined;
        return {
          items: (items as ListedRow[]).map(listedFromRow),
          total,
          changedAt: changed ? new Date(changed.changed_at) : null,
          ...(term && typeof name === 'string' ? { termName: name } : {}),
        };
      }),

    find: (section, slug) =>
      run('find', async (): Promise<ListedArticle | undefined> => {
        const [rows] = await read(() => [query(QUERIES.find, section, slug)]);
        const row = rows![0] as ListedRow | undefined;
        return row && listedFromRow(row);
      }),

    get: (path) =>
      run('get', async () => {
        const [rows] = await read(() => [query(QUERIES.get, path)]);
        const row = rows![0] as MetaRow | undefined;
        return row && metaFromRow(row);
      }),

    content: (path) =>
      run('content', async () => {
        const [rows] = await read(() => [query(QUERIES.content, path)]);
        return rows![0] as ArticleContent | undefined;
      }),

    // Not checked for due articles: renditions are asked for articles a listing just returned.
    renditions: (paths, kind) =>
      run('renditions', async () => {
        const kept = new Map<string, Rendition>();
        if (paths.length === 0) return kept;
        const { results } = await query(QUERIES.renditions, kind, JSON.stringify(paths)).all<RenditionRow>();
        for (const row of results) kept.set(row.path, { key: row.key, markup: row.markup, hasBody: row.has_body === 1 });
        return kept;
      }),

    status: () =>
      run('status', async (): Promise<StoreStatus> => {
        const [totals, sections, rejected, scheduled, latest] = await read(() =>
          [QUERIES.allTotal, QUERIES.sections, QUERIES.rejections, QUERIES.scheduledCount, QUERIES.latestRevision].map(
            (sql) => query(sql),
          ),
        );
        const changed = latest![0] as RevisionRow | undefined;
        return {
          articles: (totals![0] as { total: number }).total,
          sections: toSections(sections!),
          rejected: (rejected as { path: string; reason: string }[]).sort((a, b) => compareStrings(a.path, b.path)),
          scheduled: (scheduled![0] as { scheduled: number }).scheduled,
          updatedAt: changed ? new Date(changed.changed_at) : null,
        };
      }),

    publishedPerDay: (start, days) =>
      run('publishedPerDay', async () => {
        const [rows] = await read(() => [query(QUERIES.perDay, start.getTime(), days)]);
        return (rows as { articles: number }[]).map(({ articles }) => articles);
      }),

    revision: (section) =>
      run('revision', async () => {
        const [rows] = await read(() => [revisionOf(section)]);
        return (rows![0] as RevisionRow | undefined)?.revision ?? 0;
      }),

    changedAt: (section) =>
      run('changedAt', async () => {
        const [rows] = await read(() => [revisionOf(section)]);
        const row = rows![0] as RevisionRow | undefined;
        return row ? new Date(row.changed_at) : null;
      }),

    nextScheduledAt: () =>
      run('nextScheduledAt', async () => {
        const [rows] = await read(() => [query(QUERIES.nextDue)]);
        const due = (rows![0] as { due: number | null } | undefined)?.due;
        return due === null || due === undefined ? null : new Date(due);
      }),
  };
  /** Both answers of a write that does two things in one batch. */
  const both =
    <A, B>(first: Answer<A>, second: Answer<B>): Answer<[A, B]> =>
    (rows) => [first(rows), second(rows)];
  writers.set(store, {
    db,
    put: (article, also) => run('put', () => write((batch) => both(batch.put(article), also(batch)))),
    remove: (path, also) => run('remove', () => write((batch) => both(batch.remove(path), also(batch)))),
    write: (build) => run('write', () => write(build)),
    listedMany: (paths) =>
      run('listed', async () => {
        if (paths.length === 0) return [];
        const rows = await read(() => paths.map((path) => query(QUERIES.listed, path)));
        return rows.map((found) => {
          const row = found[0] as ListedRow | undefined;
          return row && listedFromRow(row);
        });
      }),
    listed: (path) =>
      run('listed', async () => {
        const [rows] = await read(() => [query(QUERIES.listed, path)]);
        const row = rows![0] as ListedRow | undefined;
        return row && listedFromRow(row);
      }),
    keepRenditions: (path, version, renditions) => run('keepRenditions', () => keepRenditions(db, path, version, renditions)),
  });
  return store;
}

/** D1 keeps every body in its row: a put must bring one. */
function withBody(input: ArticleInput): Article {
  if (input.html === undefined) throw new StoreError(`[store:d1] put ${input.path}: the article has no body (html)`);
  return input as Article;
}
