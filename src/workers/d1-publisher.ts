// The publish API on Workers: uploaded article files are parsed here, their records kept in
// D1's `files` table (path, hash, size, mtime, first-seen and changed times; not the bytes) and
// their articles, dated from those times, put in the store. Node writes the same uploads into
// the articles folder instead. With the site's URLs, each published article's feed items are
// rendered here too and kept beside it, so a feed request assembles items instead of rendering them.
import type { D1Database } from '@cloudflare/workers-types';
import { oversizeReason, parseArticle } from '../article/parse.ts';
import type { Article, ParseOptions } from '../article/types.ts';
import type { SiteConfig } from '../site/config.ts';
import { errorMessage } from '../errors.ts';
import { renderRenditions } from '../http/item-cache.ts';
import type { ListPage, PublishOutcome, Publisher, StoredFile, UploadedFile } from '../publish/contract.ts';
import { sha256Hex } from '../site/sha256.ts';
import type { FeedStore } from '../store/types.ts';
import { versioned, type VersionedArticle } from './d1-rows.ts';
import { d1ArticleWriter } from './d1-store.ts';
import { keepRenditionsMany, WriteBatch, type Answer, type FileRecord, type SeenFile } from './d1-writes.ts';
import { assertD1Database, runWithD1Schema } from './schema.ts';

type PreviousFile = Pick<StoredFile, 'sha256' | 'mtime'>;

export interface D1PublisherOptions {
  /** The clock that caps upload times (an mtime in the future counts as now). Defaults to the system clock. */
  now?: () => Date;
  /**
   * The site the feeds are served for: with it, and the D1 store of the same database, each
   * published article's item markup (every kind item-cache.ts knows) is rendered after the put
   * and kept beside it. Without it nothing is rendered here; feeds render items on demand.
   */
  site?: SiteConfig;
  /** Where a failure to keep renditions is reported (the upload still succeeds). Default console.error. */
  log?: (line: string) => void;
}

/** Tries of an upload whose path's record another upload changed meanwhile (each try, one wins). */
const MAX_ATTEMPTS = 32;
/**
 * Files of a bulk upload written in one D1 batch (one transaction): about 15 statements each.
 * Larger batches write faster but hold D1's single writer longer.
 */
const BULK_CHUNK = 50;

/**
 * The `first_seen_at` and `changed_at` of an upload of `sha256` over the record `seen`: the
 * upload's time is min(mtime, now). The first upload of a path sets first_seen_at; later ones
 * keep it, and move changed_at (never before first_seen_at) only when the bytes differ, so a
 * re-upload of a touched file leaves the article's dates alone.
 */
export function fileTimes(
  seen: SeenFile | undefined,
  sha256: string,
  mtime: Date,
  now: Date,
): Pick<FileRecord, 'firstSeenAt' | 'changedAt'> {
  const time = Math.min(mtime.getTime(), now.getTime());
  if (seen === undefined) return { firstSeenAt: time, changedAt: null };
  // A row from before first_seen_at existed: its mtime is what dated the article so far.
  const stored = Date.parse(seen.mtime);
  const firstSeenAt = seen.first_seen_at ?? (Number.isFinite(stored) ? Math.min(stored, now.getTime()) : time);
  if (seen.sha256 === sha256) return { firstSeenAt, changedAt: seen.changed_at };
  return { firstSeenAt, changedAt: Math.max(time, firstSeenAt) };
}

/** Whether `error` (or what it wraps) is put_file_gate refusing a batch. */
function isStaleRecord(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.message.includes('file_record_changed')) return true;
  }
  return false;
}

/**
 * Creates the Workers Publisher. A file that fails to parse is refused (422, nothing stored);
 * one over `parseOptions.maxBytes` too (413). A file whose article the store refuses (an id
 * another path publishes) is still stored: the store records why, as it does on Node.
 */
export function createD1Publisher(
  db: D1Database,
  store: FeedStore,
  parseOptions: ParseOptions,
  options: D1PublisherOptions = {},
): Publisher {
  assertD1Database(db, '[publish:d1] createD1Publisher');
  const now = options.now ?? (() => new Date());
  const { site, log = console.error } = options;

  /** Runs one file-record operation: schema first, D1 failures wrapped with what was being done. */
  const files = <T>(operation: string, work: () => Promise<T>): Promise<T> => runWithD1Schema(db, `[publish:d1] ${operation}`, work);

  /** Sends one file-record change (without a D1 store to share a batch with). */
  const fileOnly = <T>(operation: string, change: (batch: WriteBatch) => Answer<T>): Promise<T> =>
    files(operation, async () => {
      const batch = new WriteBatch(db, Date.now());
      const answer = change(batch);
      return answer((await batch.commit()).rows);
    });

  /**
   * Puts the article and records the file. With the D1 store of this database both go in one
   * batch, so concurrent uploads of one path leave the record and the article of the same
   * upload. With another store the article goes first: if recording the file then fails, a
   * retry puts it again (unchanged, a no-op) and records it.
   */
  async function putWithFile(
    article: Article,
    record: FileRecord,
    seen: SeenFile | undefined,
  ): Promise<PreviousFile | undefined> {
    const writer = d1ArticleWriter(store);
    if (writer?.db !== db) {
      await store.put(article);
      return fileOnly('put', (batch) => batch.putFile(record, seen));
    }
    const staged = await versioned(article);
    const [, previous] = await writer.put(staged, (batch) => batch.putFile(record, seen));
    await keepItems(staged);
    return previous;
  }

  /**
   * Renders the items of `staged` as it is listed now (page slug, section name) and keeps them,
   * if it is the live version at its path: not when it was scheduled, refused for its id, a draft,
   * or replaced by another upload already. A failure is logged, not thrown: the article is
   * published, and its items are rendered on demand until a later upload keeps them.
   */
  async function keepItems({ article, version }: VersionedArticle): Promise<void> {
    const writer = d1ArticleWriter(store);
    if (site === undefined || writer === undefined) return;
    try {
      const listed = await writer.listed(article.path);
      if (listed?.version !== version) return;
      const renditions = renderRenditions(site, listed, { html: article.html, summary: article.summary });
      await writer.keepRenditions(article.path, version, renditions);
    } catch (error) {
      log(`[publish:d1] ${article.path}: published, but its feed items were not kept: ${errorMessage(error)}`);
    }
  }

  const readFile = (path: string): Promise<SeenFile | undefined> =>
    files('read', async () => {
      const sql = `SELECT sha256, mtime, first_seen_at, changed_at FROM files WHERE path = ?1`;
      return (await db.prepare(sql).bind(path).first<SeenFile>()) ?? undefined;
    });

  /** Removes the article and the file record, in one batch with the D1 store of this database. */
  async function removeWithFile(path: string): Promise<boolean> {
    const writer = d1ArticleWriter(store);
    if (writer?.db === db) {
      const [removed, hadFile] = await writer.remove(path, (batch) => batch.removeFile(path));
      return hadFile || removed;
    }
    const removed = await store.remove(path);
    return (await fileOnly('remove', (batch) => batch.removeFile(path))) || removed;
  }

  /** The records of `paths` in one query. */
  const readFiles = (paths: readonly string[]): Promise<Map<string, SeenFile>> =>
    files('read', async () => {
      const sql = `SELECT path, sha256, mtime, first_seen_at, changed_at FROM files WHERE path IN (SELECT value FROM json_each(?1))`;
      const { results } = await db.prepare(sql).bind(JSON.stringify(paths)).all<SeenFile & { path: string }>();
      return new Map(results.map(({ path, ...seen }) => [path, seen]));
    });

  /**
   * Up to BULK_CHUNK files (distinct paths): read their records in one query, parse and date each,
   * then put every article and record in one gated batch. If another upload changed one of the
   * records meanwhile the batch fails whole, and these files go one by one (`put` retries each).
   */
  async function putChunk(uploads: readonly UploadedFile[]): Promise<PublishOutcome[]> {
    const outcomes: (PublishOutcome | undefined)[] = new Array(uploads.length);
    const seenByPath = await readFiles(uploads.map((upload) => upload.path));
    const writes: { index: number; staged: VersionedArticle; record: FileRecord; seen: SeenFile | undefined }[] = [];
    for (const [index, { path, bytes, mtime }] of uploads.entries()) {
      if (bytes.length > parseOptions.maxBytes) {
        outcomes[index] = { ok: false, status: 413, reason: oversizeReason(bytes.length, parseOptions.maxBytes) };
        continue;
      }
      const sha256 = await sha256Hex(bytes);
      const seen = seenByPath.get(path);
      const times = fileTimes(seen, sha256, mtime, now());
      const parsed = parseArticle(
        { path, bytes, mtime, firstSeenAt: new Date(times.firstSeenAt), ...(times.changedAt === null ? {} : { changedAt: new Date(times.changedAt) }) },
        parseOptions,
      );
      if (!parsed.ok) {
        outcomes[index] = { ok: false, status: 422, reason: parsed.error.reason };
        continue;
      }
      writes.push({ index, staged: await versioned(parsed.article), record: { path, sha256, size: bytes.length, mtime: mtime.toISOString(), ...times }, seen });
    }
    const writer = d1ArticleWriter(store);
    if (writes.length > 0 && writer?.db === db) {
      try {
        const previous = await writer.write((batch) => {
          const answers = writes.map(({ staged, record, seen }) => (batch.put(staged), batch.putFile(record, seen)));
          return (rows) => answers.map((answer) => answer(rows));
        });
        writes.forEach(({ index, record }, i) => {
          const before = previous[i];
          const same = before !== undefined && before.sha256 === record.sha256 && before.mtime === record.mtime;
          outcomes[index] = { ok: true, change: before === undefined ? 'created' : same ? 'unchanged' : 'updated' };
        });
        await keepItemsOf(writes.map((write) => write.staged));
      } catch (error) {
        if (!isStaleRecord(error)) throw error;
      }
    }
    // Another store, or a batch refused for a stale record: each file on its own.
    for (const { index } of writes) {
      if (outcomes[index] === undefined) outcomes[index] = await publisher.put(uploads[index]!.path, uploads[index]!.bytes, uploads[index]!.mtime);
    }
    return outcomes as PublishOutcome[];
  }

  /** keepItems for many articles: one read of their listings and one batch of renditions. */
  async function keepItemsOf(staged: readonly VersionedArticle[]): Promise<void> {
    const writer = d1ArticleWriter(store);
    if (site === undefined || writer === undefined || staged.length === 0) return;
    try {
      const listed = await writer.listedMany(staged.map(({ article }) => article.path));
      const kept = staged.flatMap(({ article, version }, i) => {
        const entry = listed[i];
        if (entry?.version !== version) return [];
        return [{ path: article.path, version, renditions: renderRenditions(site, entry, { html: article.html, summary: article.summary }) }];
      });
      await keepRenditionsMany(db, kept);
    } catch (error) {
      log(`[publish:d1] ${staged.length} articles published, but their feed items were not kept: ${errorMessage(error)}`);
    }
  }

  const publisher: Publisher = {
    async put(path: string, bytes: Uint8Array, mtime: Date): Promise<PublishOutcome> {
      if (bytes.length > parseOptions.maxBytes) {
        return { ok: false, status: 413, reason: oversizeReason(bytes.length, parseOptions.maxBytes) };
      }
      const sha256 = await sha256Hex(bytes);
      // Read, date, write: the write fails if another upload of the path got in between, and
      // is then read and dated again, so the article's dates always match the record kept.
      for (let attempt = 1; ; attempt++) {
        const seen = await readFile(path);
        const times = fileTimes(seen, sha256, mtime, now());
        const parsed = parseArticle(
          {
            path,
            bytes,
            mtime,
            firstSeenAt: new Date(times.firstSeenAt),
            ...(times.changedAt === null ? {} : { changedAt: new Date(times.changedAt) }),
          },
          parseOptions,
        );
        if (!parsed.ok) return { ok: false, status: 422, reason: parsed.error.reason };
        const record: FileRecord = { path, sha256, size: bytes.length, mtime: mtime.toISOString(), ...times };
        try {
          const before = await putWithFile(parsed.article, record, seen);
          if (before === undefined) return { ok: true, change: 'created' };
          const same = before.sha256 === record.sha256 && before.mtime === record.mtime;
          return { ok: true, change: same ? 'unchanged' : 'updated' };
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS || !isStaleRecord(error)) throw error;
        }
      }
    },

    async putMany(uploads: readonly UploadedFile[]): Promise<PublishOutcome[]> {
      const outcomes: PublishOutcome[] = [];
      for (let start = 0; start < uploads.length; start += BULK_CHUNK) outcomes.push(...(await putChunk(uploads.slice(start, start + BULK_CHUNK))));
      return outcomes;
    },

    remove: (path: string): Promise<boolean> => removeWithFile(path),

    async list(page?: ListPage): Promise<StoredFile[]> {
      // D1 orders TEXT by its UTF-8 bytes: code point order, as comparePaths (publish/contract.ts).
      const { results } = await files('list', () =>
        page === undefined
          ? db.prepare(`SELECT path, sha256, size, mtime FROM files ORDER BY path`).all<StoredFile>()
          : db.prepare(`SELECT path, sha256, size, mtime FROM files WHERE path > ?1 ORDER BY path LIMIT ?2`).bind(page.after ?? '', page.limit).all<StoredFile>(),
      );
      return results.map(({ path, sha256, size, mtime }) => ({ path, sha256, size, mtime }));
    },
  };
  return publisher;
}
