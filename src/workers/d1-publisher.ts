// The publish API on Workers: uploaded article files are parsed here, their records kept in
// D1's `files` table (path, hash, size, mtime; not the bytes) and their articles put in the
// store. Node writes the same uploads into the articles folder instead.
import type { D1Database } from '@cloudflare/workers-types';
import { oversizeReason, parseArticle } from '../article/parse.ts';
import type { Article, ParseOptions } from '../article/types.ts';
import { StoreError } from '../errors.ts';
import { sha256Hex, type PublishOutcome, type Publisher, type StoredFile } from '../publish.ts';
import type { FeedStore } from '../store/types.ts';
import { d1ArticleWriter } from './d1-store.ts';
import { WriteBatch, type Answer } from './d1-writes.ts';
import { assertD1Database, ensureD1Schema } from './schema.ts';

type PreviousFile = Pick<StoredFile, 'sha256' | 'mtime'>;

/**
 * Creates the Workers Publisher. A file that fails to parse is refused (422, nothing stored);
 * one over `parseOptions.maxBytes` too (413). A file whose article the store refuses (an id
 * another path publishes) is still stored: the store records why, as it does on Node.
 */
export function createD1Publisher(db: D1Database, store: FeedStore, parseOptions: ParseOptions): Publisher {
  assertD1Database(db, '[publish:d1] createD1Publisher');

  async function files<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      await ensureD1Schema(db);
      return await work();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(`[publish:d1] ${operation} failed: ${reason}`, { cause: error });
    }
  }

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
  async function putWithFile(article: Article, record: StoredFile): Promise<PreviousFile | undefined> {
    const writer = d1ArticleWriter(store);
    if (writer?.db === db) return (await writer.put(article, (batch) => batch.putFile(record)))[1];
    await store.put(article);
    return fileOnly('put', (batch) => batch.putFile(record));
  }

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

  return {
    async put(path: string, bytes: Uint8Array, mtime: Date): Promise<PublishOutcome> {
      if (bytes.length > parseOptions.maxBytes) {
        return { ok: false, status: 413, reason: oversizeReason(bytes.length, parseOptions.maxBytes) };
      }
      const parsed = parseArticle({ path, bytes, mtime }, parseOptions);
      if (!parsed.ok) return { ok: false, status: 422, reason: parsed.error.reason };
      const record: StoredFile = { path, sha256: await sha256Hex(bytes), size: bytes.length, mtime: mtime.toISOString() };

      const before = await putWithFile(parsed.article, record);
      if (before === undefined) return { ok: true, change: 'created' };
      const same = before.sha256 === record.sha256 && before.mtime === record.mtime;
      return { ok: true, change: same ? 'unchanged' : 'updated' };
    },

    remove: (path: string): Promise<boolean> => removeWithFile(path),

    async list(): Promise<StoredFile[]> {
      const { results } = await files('list', () =>
        db.prepare(`SELECT path, sha256, size, mtime FROM files ORDER BY path`).all<StoredFile>(),
      );
      return results.map(({ path, sha256, size, mtime }) => ({ path, sha256, size, mtime }));
    },
  };
}
