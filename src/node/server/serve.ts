// Wires the Node service together: config -> memory store -> intake -> Hono app -> HTTP server.
import type { Context, Hono } from 'hono';
import type { IncomingMessage } from 'node:http';
import { createLogger, lineLogger, lineOf, type Logger, type LogLevel } from '../logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { ResponseRecord } from './response-meter.ts';
import { routeLabel, type RouteLabel } from './route-label.ts';
import { realpath, stat } from 'node:fs/promises';
import { createApp } from '../../http/app.ts';
import { feedFastPath, type FeedFastPath } from '../../http/feed-fast-path.ts';
import { appSettingsOf, checkPublicBaseUrl, parseOptionsOf, resolveConfig, type Config, type Env } from '../../site/config.ts';
import { ConfigError } from '../../errors.ts';
import type { FeedStore } from '../../store/types.ts';
import { createHubNotifier } from '../../publish/websub.ts';
import { NODE_ENCODERS } from './encoders.ts';
import { createFolderPublisher } from '../folder-publisher.ts';
import { startScheduler } from './scheduler.ts';
import { answerFromCache } from './fast-path.ts';
import { startServer } from './http-server.ts';
import { chooseEngine } from '../intake/engine.ts';
import { startIntake, type Intake } from '../intake/intake.ts';
import { createContentCache, type ContentCache } from '../../http/content-cache.ts';
import { createFileStore } from '../file-store.ts';
import { createClientAddress, type ClientAddress } from './client-address.ts';
import { basePathOf, sectionsHiddenByBasePath } from '../../site/url-scheme.ts';
import { createFolderMediaSource } from '../media-files.ts';

export interface Wirefeed {
  config: Config;
  app: Hono;
  store: FeedStore;
  intake: Intake;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The log (logger.ts); default: pino on stdout as LOG_LEVEL and LOG_FORMAT say. */
  logger?: Logger;
  /** Instead of `logger`: one `[module] message` line per record at info and above. */
  log?: (line: string) => void;
  /** Scan progress for a terminal; without it a log line every few seconds says how far it got. */
  onProgress?: (done: number, total: number) => void;
  /** Answer cached feeds before the app (src/node/server/fast-path.ts); default true. Off for comparisons. */
  fastPath?: boolean;
  /** Aborted during the first scan: everything stops and startWirefeed rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** How often the first scan's progress is logged when no terminal shows it. */
const PROGRESS_LOG_MS = 5000;

/**
 * Starts serving and watching; resolves once the initial scan is in (the server answers while it
 * runs: `/healthz` 200, `/readyz` 503 with the progress). Throws ConfigError on bad configuration.
 */
export async function startWirefeed(env: Env, options: StartOptions = {}): Promise<Wirefeed> {
  const { onProgress, fastPath: useFastPath = true, signal } = options;
  let config = resolveConfig(env);
  checkPublicBaseUrl(env);
  const logger = options.logger ?? (options.log ? lineLogger(options.log) : createLogger({ level: config.logLevel, format: config.logFormat }));
  const log = coreLog(logger, 'info');
  const folder = await stat(config.articlesDir).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new ConfigError(`ARTICLES_DIR="${config.articlesDir}" is not a folder: create it, or point ARTICLES_DIR (--articles-dir) at your articles`);
  }
  // Before listening: WATCHER=native without the native module is a configuration error.
  const { engine, reason } = chooseEngine(config.watcher);
  // So is a TRUST_PROXY address proxy-addr cannot read.
  const clientAddress = createClientAddress(config.trustProxy);
  const basePath = basePathOf(config.site);
  let app: Hono | undefined;
  let fastPath: FeedFastPath | undefined;
  let metrics: Metrics | undefined;
  const accessLog = logger.child('http');
  // The second argument carries node:http's request (the publish API reads the client's address).
  const server = await startServer((request, env?: unknown) => (app ? app.fetch(request, env) : beforeTheApp(request)), {
    port: config.port,
    host: config.host,
    // Cached feeds are answered before a Web Request is built.
    before: (req, res) => fastPath !== undefined && answerFromCache(fastPath, req, res),
    onResponse(record) {
      const route = routeLabel(record.target, basePath);
      metrics?.response(record, route);
      if (accessLog.isLevelEnabled('info')) logAccess(accessLog, record, route, clientAddress(record.req));
    },
  });
  // PORT=0 asks for any free port: the links in feeds must name the one we got.
  if (config.port === 0) config = resolveConfig({ ...env, PORT: String(server.port) });

  const parseOptions = parseOptionsOf(config);
  const articlesDir = await realpath(config.articlesDir);
  let intake: Intake | undefined;
  // The lean store: bodies stay in the files and are read again (through the app's bounded
  // cache) when served. A file that no longer matches its record is read by the intake soon.
  let content: ContentCache | undefined;
  const store = createFileStore({ dir: articlesDir, parseOptions, onStale: (path) => intake?.recheck(path), onUnpublished: (path) => content?.forget(path) });
  // Made here, not by the app, so that the store can tell it which articles went away.
  content = createContentCache(store, config.cacheMaxBytes);
  let ready = false;
  const scan = { done: 0, total: 0, ready: false, seconds: undefined as number | undefined };
  if (config.metrics) metrics = createMetrics({ store, scan: () => ({ ...scan, ready }), intake: () => intake && { mode: intake.mode, pending: intake.pending } });
  const publisher = config.publishToken ? createFolderPublisher({ dir: config.articlesDir, parseOptions }) : undefined;
  app = createApp({
    store,
    content,
    ...appSettingsOf(config),
    encoders: NODE_ENCODERS,
    media: createFolderMediaSource(articlesDir, config.mediaMaxBytes),
    isReady: () => ready,
    readiness: () => readiness(scan),
    metrics: metrics && (() => metrics.text()),
    onFeedRender: metrics && ((ms, format) => metrics.feedRendered(ms, format)),
    logError: coreLog(logger, 'error'),
    publish: config.publishToken && publisher
      ? {
          token: config.publishToken,
          publisher,
          maxBytes: config.maxFileBytes,
          media: publisher.media,
          mediaMaxBytes: config.mediaMaxBytes,
          getClientAddress: (c) => getClientAddress(c, clientAddress),
          log,
        }
      : undefined,
  });
  if (useFastPath) fastPath = feedFastPath(app);
  const notifier = createHubNotifier({ hubs: config.hubs, site: config.site, log: coreLog(logger.child('websub'), 'warn') });
  const scheduler = startScheduler({ store, onDue: (sections) => notifier.changed(sections), log: lineOf(logger.child('scheduler')) });
  const intakeLog = lineOf(logger.child('intake'));
  intakeLog(`watch engine: ${engine.name} (${reason}); state: ${config.stateDir ?? 'off (STATE_DIR=off)'}`);
  let lastProgressLine = performance.now();
  intake = startIntake({
    dir: config.articlesDir,
    store,
    parseOptions,
    settleMs: config.settleMs,
    engine,
    stateDir: config.stateDir,
    threads: config.scanThreads,
    log: intakeLog,
    onProgress(done, total) {
      scan.done = done;
      scan.total = total;
      onProgress?.(done, total);
      // No terminal to show it: a line now and then, so a long start is visibly alive.
      if (!onProgress && done < total && performance.now() - lastProgressLine >= PROGRESS_LOG_MS) {
        lastProgressLine = performance.now();
        intakeLog(`scanning: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} files`);
      }
    },
    onLatency: metrics && ((ms) => metrics.fileToFeed(ms)),
    onChange({ path, sections, kind }) {
      if (kind === 'scheduled') scheduler.add(path);
      else scheduler.forget(path);
      notifier.changed(sections);
    },
  });
  let stopping: Promise<void> | undefined;
  // No new connections; responses in flight finish (up to SHUTDOWN_TIMEOUT); the state is written.
  const stop = () =>
    (stopping ??= (async () => {
      logger.info(`stopping: no new connections; responses in flight get up to ${config.shutdownTimeoutMs / 1000} s`);
      scheduler.close();
      notifier.close();
      await Promise.all([intake.close(), server.close(config.shutdownTimeoutMs)]);
      logger.info('stopped');
    })());
  const stopRequested = new Promise<'stopped'>((resolve) => {
    if (signal?.aborted) resolve('stopped');
    else signal?.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    const started = performance.now();
    const summary = await Promise.race([intake.ready, stopRequested]);
    if (summary === 'stopped') throw signal?.reason ?? new Error('stopped');
    ready = true;
    scan.seconds = (performance.now() - started) / 1000;
    const { articles, sections } = await store.status();
    const read = summary.read === summary.files ? '' : ` (${summary.read} read, ${summary.files - summary.read} unchanged since the last run)`;
    logger.info(`indexed ${articles} articles in ${sections.length} sections from ${summary.files} files${read} in ${Math.round(performance.now() - started)} ms; serving ${config.site.baseUrl}`);
    for (const slug of sectionsHiddenByBasePath(basePath, sections.map((s) => s.slug))) {
      log(`[config] section "${slug}" is named like BASE_URL's path ${basePath}: a proxy that strips ${basePath} cannot reach it (its URLs arrive looking like ${basePath}/...); pass the prefix through, or rename the section`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    config,
    app,
    store,
    intake,
    port: server.port,
    close: stop,
  };
}

/** The body of `/readyz` during the first scan. */
function readiness({ done, total }: { done: number; total: number }): string {
  if (total === 0) return 'starting: listing the articles folder';
  const files = `indexing ${done}/${total} files`;
  return done < total ? files : `${files}; waiting for files still being written`;
}

/** Until the app is made (a moment after listening): alive, not ready. */
function beforeTheApp(request: Request): Response {
  const alive = new URL(request.url).pathname === '/healthz';
  return new Response(alive ? 'ok' : 'starting', { status: alive ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}

/**
 * One access line: what was asked, what went back, how big and how long; `client` is the
 * client by TRUST_PROXY (the peer address unless a trusted proxy names another).
 */
function logAccess(logger: Logger, record: ResponseRecord, route: RouteLabel, client: string | undefined): void {
  const { method, status, bytes, encoding } = record;
  const path = record.target.length > 1000 ? `${record.target.slice(0, 1000)}…` : record.target;
  const ms = Math.round(record.ms * 10) / 10;
  const cut = record.complete ? '' : ' (cut short)';
  const fields: Record<string, unknown> = { method, path, status, bytes, ms, encoding, notModified: status === 304, client, route };
  if (!record.complete) fields.aborted = true;
  logger.info(`${method} ${path} ${status} ${bytes} B ${ms} ms ${encoding} ${client ?? '-'}${cut}`, fields);
}

/**
 * A line from the runtime-neutral core or a module that only takes `(line) => void`: a leading
 * `[module]` becomes the module, failures are errors and refusals or budget overruns warnings.
 */
function coreLog(logger: Logger, fallback: LogLevel): (line: string) => void {
  return (line) => {
    const match = /^\[([\w:-]+)\] ([\s\S]*)$/.exec(line);
    const message = match ? match[2]! : line;
    const level: LogLevel = /\bfailed\b/.test(message) ? 'error' : /^refused |over the \d+-byte budget/.test(message) ? 'warn' : fallback;
    (match ? logger.child(match[1]!) : logger).log(level, message);
  };
}

/** The client of a request served by @hono/node-server, by TRUST_PROXY (undefined through `app.request`). */
function getClientAddress(c: Context, clientAddress: ClientAddress): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming && clientAddress(incoming);
}
