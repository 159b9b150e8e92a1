// `wirefeed publish`'s connection to one server: single pushes kept in order per path, and the
// sync pass that fits what the server offers. The one-off sync and the watch loop both use it.
import { createClient, reasonOf } from './client.ts';
import { readLocal, type LocalFile } from './local-file.ts';
import { syncMerged } from './merge-sync.ts';
import { syncPerFile } from './per-file-sync.ts';
import type { Outcome, SyncOptions, SyncSummary } from './types.ts';

/** What `createPusher` returns. */
export interface Pusher {
  /** Makes the server's copy of `path` match the local file: PUT it, or DELETE it when it is gone. */
  push(path: string, known?: LocalFile): Promise<Outcome>;
  /** One sync pass over the whole folder. */
  syncAll(): Promise<SyncSummary>;
  /** Paths the server has, as far as we know: its listing, plus our uploads, minus our deletes. */
  onServer: Set<string>;
  /** Resolves once every push under way has finished. */
  idle(): Promise<unknown>;
}

/** A connection to one server's publish API, with per-path ordering of every change. */
export function createPusher(dir: string, options: SyncOptions): Pusher {
  const client = createClient(options);
  const queues = new Map<string, Promise<unknown>>();
  const onServer = new Set<string>();

  function push(path: string, known?: LocalFile): Promise<Outcome> {
    const previous = queues.get(path) ?? Promise.resolve();
    const task = previous.then(() => pushNow(path, known), () => pushNow(path, known));
    queues.set(path, task);
    void task.finally(() => queues.get(path) === task && queues.delete(path)).catch(() => undefined);
    return task;
  }

  async function pushNow(path: string, known?: LocalFile): Promise<Outcome> {
    const local = known ?? (await readLocal(dir, path));
    if (!local) {
      const response = await client.send('DELETE', path);
      if (response.status === 204 || response.status === 404) {
        onServer.delete(path);
        return { kind: 'deleted', line: `deleted ${path}` };
      }
      return { kind: 'failed', line: `failed to delete ${path}: ${await reasonOf(response)}` };
    }
    const response = await client.send('PUT', path, local);
    if (response.ok) {
      onServer.add(path);
      const { change } = (await response.json()) as { change: string };
      return { kind: change === 'unchanged' ? 'unchanged' : 'uploaded', line: `uploaded ${path} (${change})` };
    }
    return { kind: 'failed', line: `failed ${path}: ${await reasonOf(response)}` };
  }

  /**
   * One pass. A server that pages its listing (a `next` in the first page) is merged with the
   * folder page by page, changes going up in bulk batches (merge-sync.ts); an older one sent
   * its whole listing, which is compared in memory and synced with one request per file
   * (per-file-sync.ts).
   */
  async function syncAll(): Promise<SyncSummary> {
    const first = await client.listPage();
    if (first.next !== undefined) return syncMerged({ dir, options, client, first, onServer, push });
    return syncPerFile({ dir, options, listing: first.files, onServer, push });
  }

  return { push, syncAll, onServer, idle: () => Promise.allSettled(queues.values()) };
}
