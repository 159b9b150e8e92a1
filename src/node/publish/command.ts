// `wirefeed publish [DIR] --to URL`: makes a server's articles equal to a local folder through the
// publish API (publish/api.ts), by hash and mtime, so a re-run after an interruption finishes the job.
// `--watch` then pushes every add, change and delete as it happens.
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isArticlePath } from '../../article/parse.ts';
import { DEFAULT_SETTLE_MS, resolveConfig } from '../../site/config.ts';
import { ConfigError } from '../../errors.ts';
import { sha256Hex, type StoredFile } from '../../publish/contract.ts';
import { createClient, isFatal, messageOf, reasonOf } from './client.ts';
import { startChangeFeed } from '../intake/change-feed.ts';
import { chooseEngine, type WatcherChoice } from '../intake/engine.ts';
import { whenSettled } from '../intake/settle.ts';
import { walkArticles } from '../intake/walk.ts';
import { syncMedia } from './media.ts';
import { syncMerged } from './sync.ts';
import { runLimited } from '../run-limited.ts';

export const PUBLISH_HELP = `  --to URL             the wirefeed server, e.g. https://feeds.example.com (required)
  --token TOKEN        its PUBLISH_TOKEN; better set PUBLISH_TOKEN in the environment (never printed)
  --watch              after the sync keep running and push every add, change and delete
  --concurrency N      requests at a time (single uploads, or batches when the server takes them), 1-32 (default 4)
  --batch-files N      files per batch request at most, 1-5000 (default: the server's limit; 1 = one file a request)
  --dry-run            list what would be uploaded and deleted, change nothing
  --allow-empty        let an empty DIR delete every file on the server (refused otherwise)`;

export interface SyncOptions {
  /** The local articles folder. */
  dir: string;
  /** Base URL of the server; the API is at `<to>/api`. */
  to: string;
  token: string;
  concurrency?: number;
  dryRun?: boolean;
  allowEmpty?: boolean;
  /** Retries after the first attempt on network errors, 5xx and 429 (default 5). */
  retries?: number;
  /** First backoff step in ms, doubled per retry, with jitter (default 500). */
  retryBaseMs?: number;
  /** One line per upload, deletion or failure. */
  log?: (line: string) => void;
  /** Files per bulk request at most (default: the server's cap). */
  batchFiles?: number;
  /** `uploading 12/300`, for a terminal's single updating line. */
  progress?: (text: string) => void;
  signal?: AbortSignal;
}

export interface SyncSummary {
  uploaded: number;
  deleted: number;
  unchanged: number;
  failed: number;
}

/** What became of one file, and the line that says so. */
export type Outcome = { kind: 'uploaded' | 'unchanged' | 'deleted' | 'failed'; line: string };



/** One sync pass: upload new and changed files, delete what is gone locally. */
export async function syncFolder(options: SyncOptions): Promise<SyncSummary> {
  const dir = await realpath(options.dir);
  const media: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  await syncMedia(dir, options, media);
  const articles = await createPusher(dir, options).syncAll();
  return {
    uploaded: articles.uploaded + media.uploaded,
    deleted: articles.deleted + media.deleted,
    unchanged: articles.unchanged + media.unchanged,
    failed: articles.failed + media.failed,
  };
}

/** A connection to one server's publish API, with per-path ordering of every change. */
function createPusher(dir: string, options: SyncOptions) {
  const { log = () => {}, progress = () => {}, concurrency = 4 } = options;
  const client = createClient(options);
  const queues = new Map<string, Promise<unknown>>();
  /** Paths the server has, as far as we know: its listing, plus our uploads, minus our deletes. */
  const onServer = new Set<string>();

  /** Makes the server's copy of `path` match the local file: PUT it, or DELETE it when it is gone. */
  function push(path: string, known?: { bytes: Uint8Array; mtime: Date }): Promise<Outcome> {
    const previous = queues.get(path) ?? Promise.resolve();
    const task = previous.then(() => pushNow(path, known), () => pushNow(path, known));
    queues.set(path, task);
    void task.finally(() => queues.get(path) === task && queues.delete(path)).catch(() => undefined);
    return task;
  }

  async function pushNow(path: string, known?: { bytes: Uint8Array; mtime: Date }): Promise<Outcome> {
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
   * folder page by page, changes going up in bulk batches (sync.ts); an older one sent
   * its whole listing, which is compared in memory and synced with one request per file.
   */
  async function syncAll(): Promise<SyncSummary> {
    const first = await client.listPage();
    if (first.next !== undefined) return syncMerged({ dir, options, client, first, onServer, push, readLocal: (path) => readLocal(dir, path), isSame });
    return syncEach(first.files);
  }

  async function syncEach(listing: StoredFile[]): Promise<SyncSummary> {
    const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
    const stored = new Map(listing.map((file) => [file.path, file]));
    for (const path of stored.keys()) onServer.add(path);
    const paths = (await walkArticles(dir)).files;
    const present = new Set(paths);
    const gone = [...stored.keys()].filter((path) => !present.has(path));
    if (paths.length === 0 && gone.length > 0 && !options.allowEmpty) {
      throw new ConfigError(`${options.dir} has no article files: refusing to delete all ${gone.length} files on the server (pass --allow-empty to do that)`);
    }
    const count = (outcome: Outcome) => {
      summary[outcome.kind] += 1;
      if (outcome.kind !== 'unchanged') log(outcome.line);
    };
    // One file's trouble is reported and the rest go on; a refused token or an interrupt stops all.
    const settle = async (path: string, outcome: () => Promise<Outcome | undefined>) => {
      try {
        const result = await outcome();
        if (result) count(result);
      } catch (error) {
        if (isFatal(error) || options.signal?.aborted) throw error;
        count({ kind: 'failed', line: `failed ${path}: ${messageOf(error)}` });
      }
    };
    let done = 0;
    await runLimited(paths, concurrency, async (path) => {
      await settle(path, async () => {
        const local = await readLocal(dir, path);
        const file = stored.get(path);
        if (!local) return undefined;
        if (file && (await isSame(local, file))) return { kind: 'unchanged', line: '' };
        return options.dryRun ? { kind: 'uploaded', line: `would upload ${path}` } : push(path, local);
      });
      progress(`uploading ${++done}/${paths.length}`);
    }, { signal: options.signal });
    done = 0;
    await runLimited(gone, concurrency, async (path) => {
      await settle(path, async () => (options.dryRun ? { kind: 'deleted', line: `would delete ${path}` } : push(path)));
      progress(`deleting ${++done}/${gone.length}`);
    }, { signal: options.signal });
    return summary;
  }

  return { push, syncAll, onServer, idle: () => Promise.allSettled(queues.values()) };
}

/**
 * Runs `--watch`: a first sync, then one push per settled file event until `signal` aborts.
 * Resolves with everything done, the first sync included.
 */
export async function watchFolder(options: SyncOptions & { settleMs?: number; watcher?: WatcherChoice; signal: AbortSignal }): Promise<SyncSummary> {
  const { log = () => {}, settleMs = DEFAULT_SETTLE_MS } = options;
  const dir = await realpath(options.dir);
  const pusher = createPusher(dir, { ...options, progress: undefined });
  const { engine, reason } = chooseEngine(options.watcher ?? 'auto');
  let fatal: unknown;
  const stop = new AbortController();
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
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
      if (again) for (const kind of ['uploaded', 'deleted', 'unchanged', 'failed'] as const) summary[kind] += again[kind];
    },
  });
  options.signal.addEventListener('abort', () => stop.abort(), { once: true });
  try {
    await feed.ready;
    log(`[watch] engine: ${feed.mode} (${reason})`);
    const first = await pusher.syncAll();
    for (const kind of ['uploaded', 'deleted', 'unchanged', 'failed'] as const) summary[kind] += first[kind];
    log(`synced: ${formatSummary(first)}; watching ${options.dir}`);
    if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    await feed.close();
    await pusher.idle();
  }
  if (fatal) throw fatal;
  return summary;
}

/** The CLI: parses `publish`'s arguments, runs the sync (and the watch); resolves with the exit code. */
export async function runPublish(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const options = parsePublishArgs(args, env);
  const tty = process.stderr.isTTY === true;
  const clear = () => tty && process.stderr.write('\r\x1b[K');
  const log = (line: string) => {
    if (line.startsWith('failed') || !tty || options.watch) {
      clear();
      (line.startsWith('failed') ? process.stderr : process.stdout).write(`${line}\n`);
    }
  };
  const progress = tty ? throttled((text) => process.stderr.write(`\r\x1b[K${text}`)) : undefined;
  if (!(await stat(options.dir).catch(() => undefined))?.isDirectory()) throw new ConfigError(`${options.dir} is not a folder`);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const run = { ...options, log, progress, signal: controller.signal, watcher: resolveConfig({ WATCHER: env.WATCHER }).watcher };
    const summary = options.watch ? await watchFolder(run) : await syncFolder(run);
    clear();
    process.stdout.write(`${options.dryRun ? 'dry run: ' : ''}${formatSummary(summary)}\n`);
    return summary.failed === 0 || options.watch ? 0 : 1;
  } catch (error) {
    clear();
    if (error instanceof ConfigError) throw error;
    if (isFatal(error) || controller.signal.aborted) {
      process.stderr.write(`wirefeed publish: ${controller.signal.aborted ? 'interrupted; run it again to finish' : error instanceof Error ? error.message : ''}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

function parsePublishArgs(args: string[], env: Record<string, string | undefined>) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        token: { type: 'string' },
        watch: { type: 'boolean' },
        concurrency: { type: 'string' },
        'batch-files': { type: 'string' },
        'dry-run': { type: 'boolean' },
        'allow-empty': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run wirefeed --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new ConfigError(`publish takes one folder, not "${positionals.join(' ')}"`);
  const to = checkServerUrl(values.to);
  const token = values.token ?? env.PUBLISH_TOKEN;
  if (!token) throw new ConfigError('no token: set PUBLISH_TOKEN to the server\'s token (or pass --token)');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new ConfigError(`--concurrency "${values.concurrency}" is not valid: use a whole number from 1 to 32`);
  }
  const batchFiles = values['batch-files'] === undefined ? undefined : Number(values['batch-files']);
  if (batchFiles !== undefined && (!Number.isInteger(batchFiles) || batchFiles < 1 || batchFiles > 5000)) {
    throw new ConfigError(`--batch-files "${values['batch-files']}" is not valid: use a whole number from 1 to 5000`);
  }
  if (values.watch && values['dry-run']) throw new ConfigError('--dry-run and --watch do not go together');
  return {
    dir: positionals[0] ?? './articles',
    to,
    token,
    concurrency,
    ...(batchFiles === undefined ? {} : { batchFiles }),
    watch: values.watch === true,
    dryRun: values['dry-run'] === true,
    allowEmpty: values['allow-empty'] === true,
  };
}

function checkServerUrl(raw: string | undefined): string {
  if (!raw) throw new ConfigError('--to is required: the server\'s URL, e.g. --to https://feeds.example.com');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`--to "${raw}" is not an absolute URL: use e.g. https://feeds.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--to "${raw}" must start with http:// or https://`);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    process.stderr.write(`wirefeed publish: warning: ${url.host} is plain http, so the token travels unencrypted\n`);
  }
  return url.href;
}

async function readLocal(dir: string, path: string): Promise<{ bytes: Uint8Array; mtime: Date } | undefined> {
  const file = join(dir, ...path.split('/'));
  try {
    const info = await stat(file);
    if (!info.isFile()) return undefined;
    // Whole milliseconds: what the API carries, and what the server's watcher dates .txt files by.
    return { bytes: await readFile(file), mtime: info.mtime };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Same bytes, and the same mtime to the second (a .txt article is dated by it). */
async function isSame(local: { bytes: Uint8Array; mtime: Date }, stored: StoredFile): Promise<boolean> {
  const second = (ms: number) => Math.floor(ms / 1000);
  return second(local.mtime.getTime()) === second(Date.parse(stored.mtime)) && (await sha256Hex(local.bytes)) === stored.sha256;
}

function throttled(write: (text: string) => void): (text: string) => void {
  let last = 0;
  return (text) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    write(text);
  };
}

function formatSummary({ uploaded, deleted, unchanged, failed }: SyncSummary): string {
  return `uploaded ${uploaded}, deleted ${deleted}, unchanged ${unchanged}, failed ${failed}`;
}
