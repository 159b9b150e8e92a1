// `wirefeed publish --watch`: a first sync, then every add, change and delete pushed as it
// happens, until the run is stopped.
import { realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isArticlePath } from '../../article/parse.ts';
import { DEFAULT_SETTLE_MS } from '../../site/config.ts';
import { startChangeFeed } from '../intake/change-feed.ts';
import { chooseEngine, type WatcherChoice } from '../intake/engine.ts';
import { whenSettled } from '../intake/settle.ts';
import { isFatal, messageOf } from './client.ts';
import { syncMedia } from './media.ts';
import { createPusher } from './pusher.ts';
import { formatSummary } from './terminal.ts';
import type { Outcome, SyncOptions, SyncSummary } from './types.ts';

/** What `watchFolder` takes beyond one sync pass's options. */
export type WatchOptions = SyncOptions & { settleMs?: number; watcher?: WatcherChoice; signal: AbortSignal };

/**
 * Runs `--watch`: a first sync, then one push per settled file event until `signal` aborts.
 * Resolves with everything done, the first sync included.
 */
export async function watchFolder(options: WatchOptions): Promise<SyncSummary> {
  const { log = () => {}, settleMs = DEFAULT_SETTLE_MS } = options;
  const dir = await realpath(options.dir);
  const pusher = createPusher(dir, { ...options, progress: undefined });
  const { engine, reason } = chooseEngine(options.watcher ?? 'auto');
  let fatal: unknown;
  const stop = new AbortController();
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  const add = (pass: SyncSummary) => {
    for (const kind of ['uploaded', 'deleted', 'unchanged', 'failed'] as const) summary[kind] += pass[kind];
  };
  // Media files go up once, at the start; later changes to them are not watched (README: Media).
  await syncMedia(dir, options, summary);
  const count = (outcome: Outcome) => {
    summary[outcome.kind] += 1;
    log(outcome.line);
  };
  const fail = (path: string) => (error: unknown) => {
    if (isFatal(error)) fatal ??= error;
    if (fatal) stop.abort();
    else if (!options.signal.aborted) log(`failed ${path}: ${messageOf(error)}`);
  };
  // The server's settle rule (src/node/intake/settle.ts): never push a half-written file.
  const settling = new Set<string>();
  const onPath = (path: string) => {
    if (!isArticlePath(path) || stop.signal.aborted || settling.has(path)) return;
    settling.add(path);
    const file = join(dir, ...path.split('/'));
    void whenSettled(file, settleMs, (name) => stat(name).catch(() => undefined))
      .then(() => {
        settling.delete(path);
        return stop.signal.aborted ? undefined : pusher.push(path).then(count);
      })
      .catch(fail(path));
  };
  const feed = startChangeFeed({
    dir,
    engine,
    log: (line) => log(`[watch] ${line}`),
    onPath,
    // A sync lists the server and hashes the folder: the safety comparison runs less often here.
    verifyMs: 10 * 60_000,
    // A folder removed or replaced: whatever the server has under it is pushed (or deleted) again.
    onFolderStale(folder) {
      for (const path of pusher.onServer) if (path.startsWith(`${folder}/`)) onPath(path);
    },
    async onResync() {
      const again = await pusher.syncAll().catch((error: unknown) => void fail('(folder)')(error));
      if (again) add(again);
    },
  });
  options.signal.addEventListener('abort', () => stop.abort(), { once: true });
  try {
    await feed.ready;
    log(`[watch] engine: ${feed.mode} (${reason})`);
    const first = await pusher.syncAll();
    add(first);
    log(`synced: ${formatSummary(first)}; watching ${options.dir}`);
    if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    await feed.close();
    await pusher.idle();
  }
  if (fatal) throw fatal;
  return summary;
}
