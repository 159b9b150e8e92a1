// The write side of the D1 store: each write is one `db.batch`, so one SQLite transaction
// that D1 runs alone. Every decision (is the id taken? is it unchanged? who is
// promoted?) is made by SQL inside that transaction from the state at that moment; JavaScript
// only picks which statements to send from the input itself. Nothing is read, decided in JS
// and written back across an await, so concurrent writers cannot lose each other's changes.
import type { D1Database, D1PreparedStatement } from '@cloudflare/workers-types';
import type { StoredFile } from '../publish/contract.ts';
import type { PutResult, Rendition } from '../store/types.ts';
import { planPut } from '../store/rules.ts';
import { articleValues, type VersionedArticle } from './d1-rows.ts';
import { ALL_STATES, COLUMNS, COMMIT, KEEP_RENDITION, placeholders, PUBLISH_STAGED, SETTLE_PASS } from './d1-write-sql.ts';

/** A `files` row as D1 keeps it: the listed fields plus the times that date its article (epoch ms). */
export interface FileRecord extends StoredFile {
  firstSeenAt: number;
  /** null: the bytes never changed since the first upload. */
  changedAt: number | null;
}

/** A `files` row as read back (`first_seen_at` is NULL on rows older than the column). */
export interface SeenFile {
  sha256: string;
  mtime: string;
  first_seen_at: number | null;
  changed_at: number | null;
}

/** Reads a write's answer from the rows its statements returned. */
export type Answer<T> = (rows: unknown[][]) => T;

export interface WriteBatchOptions {
  /**
   * Make the whole batch fail if a scheduled article is due at `time`: the store publishes
   * due articles before any put or remove (as memory.ts does), then sends the write again.
   */
  gated?: boolean;
}

/** The statements of one write, sent by `commit` as one batch: one transaction. */
export class WriteBatch {
  readonly #db: D1Database;
  readonly #time: number;
  readonly #statements: D1PreparedStatement[] = [];

  /** `time` stamps the revisions this write makes and decides what is due. */
  constructor(db: D1Database, time: number, options: WriteBatchOptions = {}) {
    this.#db = db;
    this.#time = time;
    if (options.gated) {
      // Inserting a row breaks put_gate's CHECK, which rolls the batch back before it changes
      // anything. Checking in the batch itself leaves no gap for another Worker's write.
      this.#add(
        `INSERT INTO put_gate (due) SELECT 1 FROM articles WHERE state = 'scheduled' AND published_at <= ?1 LIMIT 1`,
        time,
      );
    }
  }

  /** Adds a statement; returns its index in the batch's results. */
  #add(sql: string, ...values: unknown[]): number {
    const statement = this.#db.prepare(sql);
    this.#statements.push(values.length > 0 ? statement.bind(...values) : statement);
    return this.#statements.length - 1;
  }

  /** Stages `article` for PUBLISH_STAGED. */
  #stage(article: VersionedArticle): void {
    this.#add(`INSERT INTO put_incoming (${COLUMNS}) VALUES (${placeholders(1)})`, ...articleValues(article));
  }

  /** Stages the scheduled version of `path` if it is still there and due. */
  stageDue(path: string): void {
    this.#add(
      `INSERT INTO put_incoming (${COLUMNS}) SELECT ${COLUMNS} FROM articles
        WHERE state = 'scheduled' AND path = ?1 AND published_at <= ?2`,
      path,
      this.#time,
    );
  }

  /** Publishes the staged article; returns the index of the row telling what happened. */
  publishStaged(): number {
    for (const sql of PUBLISH_STAGED) this.#add(sql);
    const outcome = this.#add(
      `SELECT i.outcome AS outcome, r.reason AS reason FROM put_incoming i LEFT JOIN rejections r ON r.path = i.path`,
    );
    this.#add(`DELETE FROM put_incoming`);
    return outcome;
  }

  /** memory.ts `put`: draft, invalid dates, scheduled, or published now (maybe refused). */
  put(versioned: VersionedArticle): Answer<PutResult> {
    const input = versioned.article;
    const plan = planPut(input, this.#time);
    if (plan.kind === 'draft') {
      const live = this.#add(`SELECT 1 FROM articles WHERE state = 'live' AND path = ?1`, input.path);
      this.#removePath(input.path);
      return (rows) => ({ ok: true, change: rows[live]!.length > 0 ? 'removed' : 'unchanged' });
    }
    if (plan.kind === 'invalid') {
      // Like a file that fails to parse: the last good version stays published.
      this.#add(`DELETE FROM articles WHERE state = 'scheduled' AND path = ?1`, input.path);
      this.reject(input.path, plan.reason);
      return () => ({ ok: false, reason: plan.reason });
    }
    if (plan.kind === 'scheduled') {
      this.#schedule(versioned);
      return () => ({ ok: true, change: 'scheduled' });
    }
    this.#stage(versioned);
    const outcome = this.publishStaged();
    return (rows) => {
      const row = rows[outcome]![0] as { outcome: 'refused' | 'unchanged' | 'added' | 'updated'; reason: string };
      return row.outcome === 'refused' ? { ok: false, reason: row.reason } : { ok: true, change: row.outcome };
    };
  }

  /** memory.ts `remove`: every version of `path` and its rejection; answers whether any was there. */
  remove(path: string): Answer<boolean> {
    const found = this.#add(
      `SELECT 1 FROM articles WHERE ${ALL_STATES} AND path = ?1 UNION ALL SELECT 1 FROM rejections WHERE path = ?1`,
      path,
    );
    this.#removePath(path);
    return (rows) => rows[found]!.length > 0;
  }

  /**
   * Records an uploaded file (d1-publisher.ts); answers the record it replaced, if any. The
   * whole batch fails (constraint `file_record_changed`) unless the path's record is still
   * `seen`, the one the caller read and dated the article from (undefined: there was none).
   */
  putFile(file: FileRecord, seen: SeenFile | undefined): Answer<Pick<StoredFile, 'sha256' | 'mtime'> | undefined> {
    if (seen === undefined) {
      this.#add(`INSERT INTO put_file_gate (stale) SELECT 1 FROM files WHERE path = ?1`, file.path);
    } else {
      this.#add(
        `INSERT INTO put_file_gate (stale) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM files WHERE path = ?1
          AND sha256 = ?2 AND mtime = ?3 AND first_seen_at IS ?4 AND changed_at IS ?5)`,
        file.path,
        seen.sha256,
        seen.mtime,
        seen.first_seen_at,
        seen.changed_at,
      );
    }
    const previous = this.#add(`SELECT sha256, mtime FROM files WHERE path = ?1`, file.path);
    this.#add(
      `INSERT INTO files (path, sha256, size, mtime, first_seen_at, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, mtime = excluded.mtime,
          first_seen_at = excluded.first_seen_at, changed_at = excluded.changed_at`,
      file.path,
      file.sha256,
      file.size,
      file.mtime,
      file.firstSeenAt,
      file.changedAt,
    );
    return (rows) => rows[previous]![0] as Pick<StoredFile, 'sha256' | 'mtime'> | undefined;
  }

  /** Forgets an uploaded file's record; answers whether there was one. */
  removeFile(path: string): Answer<boolean> {
    const found = this.#add(`SELECT 1 FROM files WHERE path = ?1`, path);
    this.#add(`DELETE FROM files WHERE path = ?1`, path);
    return (rows) => rows[found]!.length > 0;
  }

  /** Keeps `article` out of sight until its date, replacing every version of its path. */
  #schedule(article: VersionedArticle): void {
    const { path } = article.article;
    this.#add(`DELETE FROM rejections WHERE path = ?1`, path);
    this.#add(`DELETE FROM articles WHERE ${ALL_STATES} AND path = ?1`, path);
    this.#add(
      `INSERT INTO articles (state, ${COLUMNS}) VALUES ('scheduled', ${placeholders(1)})`,
      ...articleValues(article),
    );
  }

  /** Removes every version of `path` and its rejection. */
  #removePath(path: string): void {
    this.#add(`DELETE FROM articles WHERE ${ALL_STATES} AND path = ?1`, path);
    this.#add(`DELETE FROM rejections WHERE path = ?1`, path);
  }

  /** Records a rejection for `path`, dropping its waiting version (memory.ts `reject`). */
  reject(path: string, reason: string): void {
    this.#add(
      `INSERT INTO rejections (path, reason) VALUES (?1, ?2) ON CONFLICT (path) DO UPDATE SET reason = excluded.reason`,
      path,
      reason,
    );
    this.#add(`DELETE FROM articles WHERE state = 'waiting' AND path = ?1`, path);
  }

  /**
   * Settles waiting articles, commits the revisions and sends the batch. Resolves to each
   * statement's rows and whether ids are still unsettled (a chain too long for one batch).
   * Rejects when gated and a scheduled article was due (nothing was written then).
   */
  async commit(): Promise<{ rows: unknown[][]; unsettled: boolean }> {
    for (let pass = 0; pass < 2; pass++) for (const sql of SETTLE_PASS) this.#add(sql);
    const [revise, ...rest] = COMMIT;
    this.#add(revise!, this.#time);
    for (const sql of rest) this.#add(sql);
    const results = await this.#db.batch(this.#statements);
    const rows = results.map((result) => result.results);
    const last = rows.at(-1)?.[0] as { unsettled?: number } | undefined;
    return { rows, unsettled: last?.unsettled === 1 };
  }
}

/**
 * Keeps the item markup of the live article at `path` (d1-publisher.ts renders it after a put),
 * replacing what was kept for the path, in one batch of its own. Each row is written only if the
 * live article still is `version` when the batch runs: an upload that replaced it meanwhile keeps
 * its own. Replacing or removing the article removes them (schema.ts).
 */
export async function keepRenditions(
  db: D1Database,
  path: string,
  version: string,
  renditions: readonly ({ kind: string } & Rendition)[],
): Promise<void> {
  const statement = db.prepare(KEEP_RENDITION);
  await db.batch(renditions.map(({ kind, key, markup, hasBody }) => statement.bind(path, kind, key, markup, hasBody ? 1 : 0, version)));
}

/** keepRenditions for many articles, in one batch. */
export async function keepRenditionsMany(
  db: D1Database,
  kept: readonly { path: string; version: string; renditions: readonly ({ kind: string } & Rendition)[] }[],
): Promise<void> {
  const statement = db.prepare(KEEP_RENDITION);
  const statements = kept.flatMap(({ path, version, renditions }) =>
    renditions.map(({ kind, key, markup, hasBody }) => statement.bind(path, kind, key, markup, hasBody ? 1 : 0, version)),
  );
  if (statements.length > 0) await db.batch(statements);
}
