// `wirefeed publish` against a server that pages its listing: the local folder (its paths sorted)
// and the server's listing (page by page, already sorted) are walked side by side as a merge of
// two sorted streams, so only one page of the server's listing is held at a time. Changed files
// go up in bulk batches (bulk-batches.ts), sized by the server's advertised caps; a server
// without them gets single PUTs and DELETEs.
import { ConfigError } from '../../errors.ts';
import { comparePaths, type StoredFile } from '../../publish/contract.ts';
import { walkArticles } from '../intake/walk.ts';
import { runLimited } from '../run-limited.ts';
import { createBatches } from './bulk-batches.ts';
import { messageOf, type ListingPage, type PublishClient } from './client.ts';
import { isSame, readLocal, type LocalFile } from './local-file.ts';
import type { Outcome, SyncOptions, SyncSummary } from './types.ts';

/** Local files read and hashed ahead of the merge, at most this many at once. */
const WINDOW = 256;
const READERS = 16;

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
  const { options, client, onServer, push } = context;
  const { log = () => {}, progress = () => {}, signal } = options;
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  const count = (outcome: Outcome) => {
    summary[outcome.kind] += 1;
    if (outcome.kind !== 'unchanged') log(outcome.line);
  };
  const batches = createBatches({ options, client, limits: context.first.bulk, onServer, push, count });

  const gone = async (path: string) => {
    onServer.add(path);
    if (options.dryRun) count({ kind: 'deleted', line: `would delete ${path}` });
    else await batches.send(path);
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
        locals[index] = await readLocal(context.dir, window[index]!).catch((error: unknown) => ({ error }));
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
        else if (stored && (await isSame(local, stored))) count({ kind: 'unchanged', line: '' });
        else if (options.dryRun) count({ kind: 'uploaded', line: `would upload ${path}` });
        else await batches.send(path, local);
      }
    }
    while (!head.done) {
      await gone(head.value.path);
      head = await remote.next();
    }
    await batches.flush();
  } finally {
    await batches.drain();
  }
  batches.throwIfFatal();
  return summary;
}
