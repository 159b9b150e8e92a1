// Wires the Node service together: config -> memory store -> intake -> Hono app -> HTTP server.
import type { Context, Hono } from 'hono';
import type { IncomingMessage } from 'node:http';
import { realpath, stat } from 'node:fs/promises';
import { createApp, feedFastPath, type FeedFastPath } from '../app.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig, type Config, type Env } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { FeedStore } from '../store/types.ts';
import { createHubNotifier } from '../websub.ts';
import { NODE_ENCODERS } from './encoders.ts';
import { createFolderPublisher } from './publisher.ts';
import { startScheduler } from './scheduler.ts';
import { answerFromCache } from './fast-path.ts';
import { startServer } from './server.ts';
import { chooseEngine } from './intake/engine.ts';
import { startIntake, type Intake } from './intake/intake.ts';
import { createContentCache, type ContentCache } from '../content-cache.ts';
import { createFileStore } from './file-store.ts';
import { createFolderMediaSource } from './media-files.ts';

export interface Wirefeed {
  config: Config;
  app: Hono;
  store: FeedStore;
  intake: Intake;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: (line: string) => void;
  onProgress?: (done: number, total: number) => void;
  /** Answer cached feeds before the app (src/node/fast-path.ts); default true. Off for comparisons. */
  fastPath?: boolean;
}

/**
 * Starts serving and watching; resolves once the initial scan is in (the server answers,
 * with `/healthz` at 503, while it runs). Throws ConfigError on bad configuration.
 */
export async function startWirefeed(env: Env, { log = console.log, onProgress, fastPath: useFastPath = true }: StartOptions = {}): Promise<Wirefeed> {
  let config = resolveConfig(env);
  const folder = await stat(config.articlesDir).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new ConfigError(`ARTICLES_DIR="${config.articlesDir}" is not a folder: create it, or point ARTICLES_DIR (--articles-dir) at your articles`);
  }
  // Before listening: WATCHER=native without the native module is a configuration error.
  const { engine, reason } = chooseEngine(config.watcher);
  let app: Hono | undefined;
  let fastPath: FeedFastPath | undefined;
  // The second argument carries node:http's request (the publish API reads the client's address).
  const server = await startServer((request, env?: unknown) => (app ? app.fetch(request, env) : new Response('starting', { status: 503 })), {
    port: config.port,
    host: config.host,
    // Cached feeds are answered before a Web Request is built.
    before: (req, res) => fastPath !== undefined && answerFromCache(fastPath, req, res),
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
  const publisher = config.publishToken ? createFolderPublisher({ dir: config.articlesDir, parseOptions }) : undefined;
  app = createApp({
    store,
    content,
    ...appSettingsOf(config),
    encoders: NODE_ENCODERS,
    media: createFolderMediaSource(articlesDir, config.mediaMaxBytes),
    isReady: () => ready,
    publish: config.publishToken && publisher
      ? {
          token: config.publishToken,
          publisher,
          maxBytes: config.maxFileBytes,
          media: publisher.media,
          mediaMaxBytes: config.mediaMaxBytes,
          getClientAddress,
          log,
        }
      : undefined,
  });
  if (useFastPath) fastPath = feedFastPath(app);
  const notifier = createHubNotifier({ hubs: config.hubs, site: config.site, log });
  const scheduler = startScheduler({ store, onDue: (sections) => notifier.changed(sections), log: (line) => log(`[scheduler] ${line}`) });
  log(`[intake] watch engine: ${engine.name} (${reason}); state: ${config.stateDir ?? 'off (STATE_DIR=off)'}`);
  intake = startIntake({
    dir: config.articlesDir,
    store,
    parseOptions,
    settleMs: config.settleMs,
    engine,
    stateDir: config.stateDir,
    threads: config.scanThreads,
    log: (line) => log(`[intake] ${line}`),
    onProgress,
    onChange({ path, sections, kind }) {
      if (kind === 'scheduled') scheduler.add(path);
      else scheduler.forget(path);
      notifier.changed(sections);
    },
  });
  const stop = async () => {
    scheduler.close();
    notifier.close();
    await Promise.all([intake.close(), server.close()]);
  };
  try {
    const started = performance.now();
    const scan = await intake.ready;
    ready = true;
    const { articles, sections } = await store.status();
    const read = scan.read === scan.files ? '' : ` (${scan.read} read, ${scan.files - scan.read} unchanged since the last run)`;
    log(`indexed ${articles} articles in ${sections.length} sections from ${scan.files} files${read} in ${Math.round(performance.now() - started)} ms; serving ${config.site.baseUrl}`);
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

/** The peer address of a request served by @hono/node-server (undefined through `app.request`). */
function getClientAddress(c: Context): string | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket.remoteAddress;
}
