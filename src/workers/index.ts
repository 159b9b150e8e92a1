// The Cloudflare Workers entry: the same createApp as Node, over D1. Articles arrive through
// the publish API (`wirefeed publish --watch` feeds it); there is no folder to watch here.
import type { D1Database, ExecutionContext, R2Bucket } from '@cloudflare/workers-types';
import type { Hono } from 'hono';
import { createApp } from '../http/app.ts';
import { appSettingsOf, parseOptionsOf, resolveConfig, type Env as Settings } from '../site/config.ts';
import { ConfigError } from '../errors.ts';
import type { PublishOutcome, Publisher } from '../publish/contract.ts';
import type { FeedStore } from '../store/types.ts';
import { createHubNotifier, type HubNotifier } from '../publish/websub.ts';
import { createD1Publisher } from './d1-publisher.ts';
import { createD1Store } from './d1-store.ts';
import { createR2MediaPublisher, createR2MediaSource } from './r2-media.ts';

/** The bindings and vars wrangler.toml declares; `PUBLISH_TOKEN` is a secret. */
export interface WorkerEnv extends Settings {
  DB?: D1Database;
  /** R2 bucket of media files (images, audio, video); optional: without it none are served or accepted. */
  MEDIA?: R2Bucket;
  PUBLISH_TOKEN?: string;
}

// Named exports of a Worker module must be handlers, so the binding's name is not exported.
const D1_BINDING = 'DB';

interface Deployment {
  app: Hono;
  notifier: HubNotifier;
}

// One app per D1 binding and origin, built on the first request an isolate sees: the binding is
// passed in, never stashed in a module variable (STYLE.md §1), and config is resolved once.
const deployments = new WeakMap<D1Database, Map<string, Deployment>>();

function deploymentFor(db: D1Database, env: WorkerEnv, origin: string): Deployment {
  let byOrigin = deployments.get(db);
  if (!byOrigin) deployments.set(db, (byOrigin = new Map()));
  const key = `${origin}|${env.PUBLISH_TOKEN ? 'api' : ''}`;
  let deployment = byOrigin.get(key);
  if (deployment) return deployment;

  // Without BASE_URL, links use the origin the request came to (workers.dev or a custom domain).
  const config = resolveConfig({ ...env, BASE_URL: env.BASE_URL || origin });
  const store = createD1Store(db);
  const parseOptions = parseOptionsOf(config);
  // Each request's waitUntil keeps the isolate alive until its pings are out; no debounce here.
  const notifier = createHubNotifier({ hubs: config.hubs, site: config.site, debounceMs: 0 });
  // The publisher renders each article's feed items for this site's URLs and keeps them in D1.
  const publisher = notifying(createD1Publisher(db, store, parseOptions, { site: config.site }), store, notifier, config.hubs.length > 0);
  const media = env.MEDIA;
  const app = createApp({
    store,
    ...appSettingsOf(config),
    ...(media ? { media: createR2MediaSource(media) } : {}),
    ...(env.PUBLISH_TOKEN
      ? {
          publish: {
            token: env.PUBLISH_TOKEN,
            publisher,
            maxBytes: config.maxFileBytes,
            ...(media ? { media: createR2MediaPublisher(media), mediaMaxBytes: config.mediaMaxBytes } : {}),
          },
        }
      : {}),
  });
  deployment = { app, notifier };
  byOrigin.set(key, deployment);
  return deployment;
}

/** Tells the hubs which sections a publish or delete touched (before and after). */
function notifying(publisher: Publisher, store: FeedStore, notifier: HubNotifier, hubs: boolean): Publisher {
  const sectionsOf = async (path: string) => (await store.get(path))?.sectionSlug;
  return {
    async putMany(files) {
      const outcomes = publisher.putMany
        ? await publisher.putMany(files)
        : await files.reduce<Promise<PublishOutcome[]>>(async (done, { path, bytes, mtime }) => [...(await done), await publisher.put(path, bytes, mtime)], Promise.resolve([]));
      if (!hubs) return outcomes;
      // With hubs: the sections the changed files are in now (a bulk upload reads no "before").
      const sections = new Set<string>();
      for (const [index, outcome] of outcomes.entries()) {
        const section = outcome.ok && outcome.change !== 'unchanged' ? await sectionsOf(files[index]!.path) : undefined;
        if (section !== undefined) sections.add(section);
      }
      if (sections.size > 0) notifier.changed(sections);
      return outcomes;
    },
    async put(path, bytes, mtime) {
      const before = await sectionsOf(path);
      const outcome = await publisher.put(path, bytes, mtime);
      const after = await sectionsOf(path);
      if (outcome.ok && outcome.change !== 'unchanged') notifier.changed([before, after].filter((s) => s !== undefined));
      return outcome;
    },
    async remove(path) {
      const before = await sectionsOf(path);
      const removed = await publisher.remove(path);
      if (removed && before) notifier.changed([before]);
      return removed;
    },
    list: (page) => publisher.list(page),
  };
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const db = env[D1_BINDING];
    if (!db) {
      console.error(`[workers] no D1 binding "${D1_BINDING}": add a [[d1_databases]] binding named ${D1_BINDING} to wrangler.toml`);
      return new Response('Service misconfigured', { status: 500 });
    }
    let deployment: Deployment;
    try {
      deployment = deploymentFor(db, env, new URL(request.url).origin);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`[workers] ${error.message} (set it in wrangler.toml [vars])`);
      return new Response('Service misconfigured', { status: 500 });
    }
    const response = await deployment.app.fetch(request, env, ctx);
    ctx.waitUntil(deployment.notifier.idle());
    return response;
  },
};
