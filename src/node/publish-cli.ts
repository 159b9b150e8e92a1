// `wirefeed publish [DIR] --to URL`: makes a server's articles equal to a local folder through the
// publish API (api.ts), by hash and mtime, so a re-run after an interruption finishes the job.
// `--watch` then pushes every add, change and delete as it happens.
import { watch } from 'chokidar';
import type { Stats } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { MTIME_HEADER } from '../api.ts';
import { isArticlePath } from '../article/parse.ts';
import { DEFAULT_SETTLE_MS } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { sha256Hex, type StoredFile } from '../publish.ts';
import { walkFiles } from './publisher.ts';

export const PUBLISH_HELP = `  --to URL             the wirefeed server, e.g. https://feeds.example.com (required)
  --token TOKEN        its PUBLISH_TOKEN; better set PUBLISH_TOKEN in the environment (never printed)
  --watch              after the sync keep running and push every add, change and delete
  --concurrency N      uploads at a time, 1-32 (default 4)
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

/** The server refused the token: nothing else will work, so everything stops. */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
}

type Outcome = { kind: 'uploaded' | 'unchanged' | 'deleted' | 'failed'; line: string };

const REQUEST_TIMEOUT_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** One sync pass: upload new and changed files, delete what is gone locally. */
export async function syncFolder(options: SyncOptions): Promise<SyncSummary> {
  const dir = await realpath(options.dir);
  return createPusher(dir, options).syncAll();
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

  async function syncAll(): Promise<SyncSummary> {
    const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
    const stored = new Map((await client.list()).map((file) => [file.path, file]));
    for (const path of stored.keys()) onServer.add(path);
    const paths = await walkFiles(dir, { links: true });
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
        if (error instanceof TokenRefusedError || options.signal?.aborted) throw error;
        count({ kind: 'failed', line: `failed ${path}: ${messageOf(error)}` });
      }
    };
    let done = 0;
    await runLimited(paths, concurrency, options.signal, async (path) => {
      await settle(path, async () => {
        const local = await readLocal(dir, path);
        const file = stored.get(path);
        if (!local) return undefined;
        if (file && (await isSame(local, file))) return { kind: 'unchanged', line: '' };
        return options.dryRun ? { kind: 'uploaded', line: `would upload ${path}` } : push(path, local);
      });
      progress(`uploading ${++done}/${paths.length}`);
    });
    done = 0;
    await runLimited(gone, concurrency, options.signal, async (path) => {
      await settle(path, async () => (options.dryRun ? { kind: 'deleted', line: `would delete ${path}` } : push(path)));
      progress(`deleting ${++done}/${gone.length}`);
    });
    return summary;
  }

  return { push, syncAll, onServer, idle: () => Promise.allSettled(queues.values()) };
}

/**
 * Runs `--watch`: a first sync, then one push per settled file event until `signal` aborts.
 * Resolves with everything done, the first sync included.
 */
export async function watchFolder(options: SyncOptions & { settleMs?: number; signal: AbortSignal }): Promise<SyncSummary> {
  const { log = () => {}, settleMs = DEFAULT_SETTLE_MS } = options;
  const dir = await realpath(options.dir);
  const pusher = createPusher(dir, { ...options, progress: undefined });
  const toPath = (file: string) => relative(dir, file).split(sep).join('/');
  const watcher = watch(dir, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (file: string, stats?: Stats) => isIgnored(toPath(file), stats),
    // The same settle rule as the server's watcher (src/node/watcher.ts): never push a half-written file.
    awaitWriteFinish: settleMs > 0 ? { stabilityThreshold: settleMs, pollInterval: Math.min(100, settleMs) } : false,
  });
  let fatal: unknown;
  const stop = new AbortController();
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  const onPath = (path: string) => {
    if (!isArticlePath(path) || stop.signal.aborted) return;
    pusher.push(path).then(
      (outcome) => {
        summary[outcome.kind] += 1;
        log(outcome.line);
      },
      (error: unknown) => {
        if (error instanceof TokenRefusedError) fatal ??= error;
        if (fatal) stop.abort();
        else if (!options.signal.aborted) log(`failed ${path}: ${messageOf(error)}`);
      },
    );
  };
  const onFile = (file: string) => onPath(toPath(file));
  watcher.on('add', onFile).on('change', onFile).on('unlink', onFile);
  // A removed folder: whatever the server has under it goes too (as src/node/watcher.ts does).
  watcher.on('unlinkDir', (folder: string) => {
    const prefix = `${toPath(folder)}/`;
    for (const path of pusher.onServer) if (path.startsWith(prefix)) onPath(path);
  });
  watcher.on('error', (error: unknown) => log(`[watch] error: ${messageOf(error)}`));
  options.signal.addEventListener('abort', () => stop.abort(), { once: true });
  try {
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    const first = await pusher.syncAll();
    for (const kind of ['uploaded', 'deleted', 'unchanged', 'failed'] as const) summary[kind] += first[kind];
    log(`synced: ${formatSummary(first)}; watching ${options.dir}`);
    if (!stop.signal.aborted) await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    await watcher.close();
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
    const run = { ...options, log, progress, signal: controller.signal };
    const summary = options.watch ? await watchFolder(run) : await syncFolder(run);
    clear();
    process.stdout.write(`${options.dryRun ? 'dry run: ' : ''}${formatSummary(summary)}\n`);
    return summary.failed === 0 || options.watch ? 0 : 1;
  } catch (error) {
    clear();
    if (error instanceof ConfigError) throw error;
    if (error instanceof TokenRefusedError || controller.signal.aborted) {
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
  if (values.watch && values['dry-run']) throw new ConfigError('--dry-run and --watch do not go together');
  return {
    dir: positionals[0] ?? './articles',
    to,
    token,
    concurrency,
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

/** fetch with the token, a timeout, and retries with backoff on network errors, 5xx and 429. */
function createClient({ to, token, retries = 5, retryBaseMs = 500, signal }: SyncOptions) {
  const base = new URL(to.endsWith('/') ? to : `${to}/`);
  const urlOf = (path?: string) => new URL(path === undefined ? 'api/articles' : `api/articles/${path.split('/').map(encodeURIComponent).join('/')}`, base);

  async function send(method: string, path?: string, file?: { bytes: Uint8Array; mtime: Date }): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (file) {
      headers['Content-Type'] = 'application/octet-stream';
      headers[MTIME_HEADER] = file.mtime.toISOString();
    }
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        response = await fetch(urlOf(path), {
          method,
          headers,
          body: file?.bytes as Uint8Array<ArrayBuffer> | undefined,
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        failure = error;
      }
      if (response?.status === 401) {
        await response.body?.cancel();
        throw new TokenRefusedError(`${base.origin} refused the token (401): check that PUBLISH_TOKEN (or --token) is the server's PUBLISH_TOKEN`);
      }
      const retryable = !response || response.status >= 500 || response.status === 429;
      if (!retryable || attempt >= retries) {
        if (response) return response;
        throw new Error(`cannot reach ${base.origin}: ${messageOf(failure)}`);
      }
      const wait = retryAfterMs(response) ?? backoff(retryBaseMs, attempt);
      await response?.body?.cancel();
      await sleep(wait, signal);
    }
  }

  async function list(): Promise<StoredFile[]> {
    const response = await send('GET');
    if (!response.ok) throw new Error(`cannot list the server's articles: ${await reasonOf(response)}`);
    return ((await response.json()) as { files: StoredFile[] }).files;
  }

  return { send, list };
}

/** Exponential backoff with equal jitter: half the step fixed, half random. */
function backoff(baseMs: number, attempt: number): number {
  const step = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return step / 2 + Math.random() * (step / 2);
}

/** RFC 9110 §10.2.3: seconds or an HTTP date; capped at a minute. */
function retryAfterMs(response: Response | undefined): number | undefined {
  const raw = response?.headers.get('Retry-After');
  if (!raw) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(60_000, Math.max(0, ms));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

async function reasonOf(response: Response): Promise<string> {
  if (response.status >= 300 && response.status < 400) {
    return `the server redirected to ${response.headers.get('Location')}: use that URL in --to`;
  }
  const text = (await response.text().catch(() => '')).slice(0, 500);
  let reason = text;
  try {
    reason = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // A plain-text error body: shown as it is.
  }
  return `${response.status} ${reason}`.trim();
}

async function readLocal(dir: string, path: string): Promise<{ bytes: Uint8Array; mtime: Date } | undefined> {
  const file = join(dir, ...path.split('/'));
  try {
    const info = await stat(file);
    if (!info.isFile()) return undefined;
    // Whole milliseconds: what the API carries, and what the server's watcher dates .txt files by.
    return { bytes: await readFile(file), mtime: new Date(Math.trunc(info.mtimeMs)) };
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

/** The watcher's rule: dotfiles and dot-folders anywhere, and files that are not articles. */
function isIgnored(path: string, stats?: Stats): boolean {
  if (path === '' || path === '.') return false;
  if (path.split('/').some((segment) => segment.startsWith('.'))) return true;
  return stats?.isFile() === true && !isArticlePath(path);
}

async function runLimited<T>(items: T[], limit: number, signal: AbortSignal | undefined, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      await task(items[next++]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
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

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
