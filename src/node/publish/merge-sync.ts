// `wirefeed publish` against a server that pages its listing: the local folder (its paths sorted)
// and the server's listing (page by page, already sorted) are walked side by side as a merge of
// two sorted streams, so only one page of the server's listing is held at a time. Changed files
// go up in bulk batches (POST /api/articles, src/publish/bulk.ts), sized by the server's advertised caps;
// a server without them gets single PUTs and DELETEs.
import { ConfigError } from '../../errors.ts';
import type { BulkAnswer, BulkResult } from '../../publish/bulk.ts';
import { comparePaths, type StoredFile } from '../../publish/contract.ts';
import { walkArticles } from '../intake/walk.ts';
import { isFatal, messageOf, reasonOf, type ListingPage, type PublishClient } from './client.ts';
import type { Outcome, SyncOptions, SyncSummary } from './command.ts';
import { runLimited } from '../run-limited.ts';

/** Local files read and hashed ahead of the merge, at most this many at once. */
const WINDOW = 256;
const READERS = 16;
/** Room kept under the server's byte cap for a batch. */
const BYTE_MARGIN = 4096;

export interface MergeContext {
  dir: string;
  options: SyncOptions;
  client: PublishClient;
  /** The server's first listing page (it has a `next`). */
  first: ListingPage;
  /** Paths the server has, as far as this run knows (watch mode re-pushes those under a stale folder). */
  onServer: Set<string>;
  /** A single PUT (with `local`) or DELETE (without), for a server without bulk caps. */
  push(path: string, local?: LocalFile): Promise<Outcome>;
  readLocal(path: string): Promise<LocalFile | undefined>;
  isSame(local: LocalFile, stored: StoredFile): Promise<boolean>;
}

export interface LocalFile {
  bytes: Uint8Array;
  mtime: Date;
}

type Entry = { path: string; kind: 'put' | 'delete' };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One NDJSON line for `path`: its text when it is UTF-8, else base64. */
export function bulkLine(path: string, local?: LocalFile): string {
  if (!local) return `${JSON.stringify({ path, delete: true })}\n`;
  let content: { text: string } | { base64: string };
  try {
    content = { text: decoder.decode(local.bytes) };
  } catch {
    content = { base64: Buffer.from(local.bytes).toString('base64') };
  }
  return `${JSON.stringify({ path, mtime: local.mtime.toISOString(), ...content })}\n`;
}

/** The server's files in path order, fetching each page while the one before is being merged. */
async function* remoteFiles(client: PublishClient, first: ListingPage): AsyncGenerator<StoredFile> {
  let page = first;
  let last: string | undefined;
  for (;;) {
    const following = page.next ? client.listPage(page.next) : undefined;
    following?.catch(() => undefined);
    for (const file of page.files) {
      if (last !== undefined && comparePaths(file.path, last) <= 0) throw new Error(`the server listed ${file.path} after ${last}: its listing is not in path order`);
      last = file.path;
      yield file;
    }
    if (!following) return;
    page = await following;
  }
}

/** One sync pass by merge; see the file's head. */
export async function syncMerged(context: MergeContext): Promise<SyncSummary> {
  const { options, client, onServer } = context;
  const { log = () => {}, progress = () => {}, concurrency = 4, signal } = options;
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  const count = (outcome: Outcome) => {
    summary[outcome.kind] += 1;
    if (outcome.kind !== 'unchanged') log(outcome.line);
  };
  const limits = context.first.bulk;
  const maxFiles = Math.max(1, Math.min(limits?.maxFiles ?? 1, options.batchFiles ?? Infinity));
  const maxBytes = (limits?.maxBytes ?? 0) - BYTE_MARGIN;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();
  let lines: string[] = [];
  let entries: Entry[] = [];
  let bytes = 0;

  function settle(entry: Entry, result: BulkResult | undefined, failure?: string) {
    const { path, kind } = entry;
    if (result && 'change' in result) {
      if (kind === 'delete') onServer.delete(path);
      else onServer.add(path);
      return count(kind === 'delete' ? { kind: 'deleted', line: `deleted ${path}` } : { kind: result.change === 'unchanged' ? 'unchanged' : 'uploaded', line: `uploaded ${path} (${result.change})` });
    }
    if (kind === 'delete' && result?.status === 404) {
      onServer.delete(path);
      return count({ kind: 'deleted', line: `deleted ${path}` });
    }
    const reason = result ? `${result.status} ${result.error}` : (failure ?? 'no answer for it in the batch');
    count({ kind: 'failed', line: kind === 'delete' ? `failed to delete ${path}: ${reason}` : `failed ${path}: ${reason}` });
  }

  async function sendBatch(body: string, sent: Entry[]): Promise<void> {
    try {
      const response = await client.sendBatch(body);
      if (!response.ok) {
        const reason = await reasonOf(response);
        for (const entry of sent) settle(entry, undefined, reason);
        return;
      }
      const answer = (await response.json()) as BulkAnswer;
      const byLine = new Map(answer.results.map((result) => [result.line, result]));
      sent.forEach((entry, index) => settle(entry, byLine.get(index + 1)));
    } catch (error) {
      if (isFatal(error) || signal?.aborted) fatal ??= error;
      else for (const entry of sent) settle(entry, undefined, messageOf(error));
    }
  }

  async function flush(): Promise<void> {
    if (entries.length > 0) {
      const task: Promise<void> = sendBatch(lines.join(''), entries).finally(() => inFlight.delete(task));
      inFlight.add(task);
      lines = [];
      entries = [];
      bytes = 0;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (fatal) throw fatal;
  }

  /** Queues one put or delete: into the batch, or (no bulk caps, or too big for one) as a single request. */
  async function send(path: string, local?: LocalFile): Promise<void> {
    const line = limits ? bulkLine(path, local) : '';
    const size = Buffer.byteLength(line);
    if (!limits || size > maxBytes) {
      const outcome = await context.push(path, local).catch((error: unknown) => {
        if (isFatal(error) || signal?.aborted) throw error;
        return { kind: 'failed', line: `failed ${path}: ${messageOf(error)}` } satisfies Outcome;
      });
      return count(outcome);
    }
    if (entries.length >= maxFiles || bytes + size > maxBytes) await flush();
    lines.push(line);
    entries.push({ path, kind: local ? 'put' : 'delete' });
    bytes += size;
  }

  const gone = async (path: string) => {
    onServer.add(path);
    if (options.dryRun) count({ kind: 'deleted', line: `would delete ${path}` });
    else await send(path);
  };

  const remote = remoteFiles(client, context.first);
  let head = await remote.next();
  const paths = (await walkArticles(context.dir)).files.sort(comparePaths);
  if (paths.length === 0 && !head.done && !options.allowEmpty) {
    throw new ConfigError(`${options.dir} has no article files: refusing to delete every file on the server (pass --allow-empty to do that)`);
  }
  let done = 0;
  try {
    for (let start = 0; start < paths.length; start += WINDOW) {
      const window = paths.slice(start, start + WINDOW);
      const locals: (LocalFile | undefined | { error: unknown })[] = new Array(window.length);
      await runLimited([...window.keys()], READERS, async (index) => {
        locals[index] = await context.readLocal(window[index]!).catch((error: unknown) => ({ error }));
      }, { ...(signal ? { signal } : {}) });
      for (const [index, path] of window.entries()) {
        signal?.throwIfAborted();
        while (!head.done && comparePaths(head.value.path, path) < 0) {
          await gone(head.value.path);
          head = await remote.next();
        }
        let stored: StoredFile | undefined;
        if (!head.done && head.value.path === path) {
          stored = head.value;
          onServer.add(path);
          head = await remote.next();
        }
        const local = locals[index];
        progress(`publishing ${++done}/${paths.length}`);
        if (local && 'error' in local) count({ kind: 'failed', line: `failed ${path}: ${messageOf(local.error)}` });
        else if (!local) continue;
        else if (stored && (await context.isSame(local, stored))) count({ kind: 'unchanged', line: '' });
        else if (options.dryRun) count({ kind: 'uploaded', line: `would upload ${path}` });
        else await send(path, local);
      }
    }
    while (!head.done) {
      await gone(head.value.path);
      head = await remote.next();
    }
    await flush();
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (fatal) throw fatal;
  return summary;
}
