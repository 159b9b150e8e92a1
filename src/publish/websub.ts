// WebSub publisher side: tells hubs which feed URLs changed, so they fetch them and push to
// subscribers. Runtime-agnostic: only fetch, URLSearchParams and timers (Node and workerd).
import type { SiteConfig } from '../site/config.ts';
import { ConfigError } from '../errors.ts';
import { absolute, feedPath } from '../site/url-scheme.ts';
import { FEED_FORMATS } from '../feed/formats.ts';
import { backoffDelay, retryAfterMs } from './retry.ts';
import { checkHubUrl } from '../site/hubs.ts';

export const DEFAULT_DEBOUNCE_MS = 1000;
export const DEFAULT_RETRIES = 5;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_HUB_TIMEOUT_MS = 10_000;
/** Longest wait between two attempts, including one a hub asks for with Retry-After. */
export const MAX_BACKOFF_MS = 60_000;
/** Requests on the wire at once per hub; a retry waiting for its turn holds no slot. */
const HUB_CONCURRENCY = 4;

export interface HubNotifierOptions {
  /** Absolute http(s) hub URLs, e.g. from `parseHubs(env.WEBSUB_HUBS)` (site/hubs.ts). None: `changed` does nothing. */
  hubs: string[];
  /** Builds the topic URLs; they must equal the feeds' `rel="self"` links, so both use src/site/url-scheme.ts. */
  site: SiteConfig;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Receives whole lines, already prefixed `[websub] `. Defaults to console.warn. */
  log?: (line: string) => void;
  /** Quiet window after the first change; later changes in it join the same flush. Default 1000. */
  debounceMs?: number;
  /** Retries after the first attempt (network error, timeout, 5xx, 429). Default 5. */
  retries?: number;
  /** First retry delay, doubled per retry with jitter, capped at MAX_BACKOFF_MS. Default 1000. */
  backoffMs?: number;
  /** Per request, body included. Default 10 000. */
  timeoutMs?: number;
}

export interface HubNotifier {
  /** Marks sections (slugs) whose feeds changed; the combined feeds always change with them. Returns at once, never throws. */
  changed(sections: Iterable<string>): void;
  /** Resolves when nothing is queued, in flight or waiting to retry (tests, shutdown, `waitUntil`). */
  idle(): Promise<void>;
  /** Drops queued pings, cancels pending retries and aborts requests in flight; `idle()` then resolves. */
  close(): void;
}

type Outcome = { ok: true } | { ok: false; reason: string; retry: boolean; retryAfterMs?: number };
interface Job {
  onWire: boolean;
  /** Changed again while a request was on the wire: the hub may already have fetched the old feed. */
  again: boolean;
}

/**
 * Creates a notifier that pings WebSub hubs when feeds change: debounced, one request per
 * (hub, topic), retried with backoff, failures logged once, never throwing into the caller.
 *
 * @example
 * const notifier = createHubNotifier({ hubs: parseHubs(env.WEBSUB_HUBS), site: config.site });
 * // Whatever changes the store passes on the sections it touched (the store itself tells no one):
 * // on Node the intake's `onChange` and the scheduler (node/server/serve.ts), on Workers the
 * // publisher's wrapper (workers/index.ts).
 * startIntake({ ...options, onChange: ({ sections }) => notifier.changed(sections) });
 * // On Workers, keep the isolate alive until delivery: ctx.waitUntil(notifier.idle()).
 */
export function createHubNotifier(options: HubNotifierOptions): HubNotifier {
  const hubs = [...new Set(options.hubs.map((hub, i) => checkHubUrl(hub, `createHubNotifier: hubs[${i}] "${hub}"`)))];
  // A wrapper, not the bare global: workerd throws "Illegal invocation" when fetch is called off its global.
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const log = options.log ?? ((line: string) => console.warn(line));
  const debounceMs = setting('debounceMs', options.debounceMs, DEFAULT_DEBOUNCE_MS);
  const retries = setting('retries', options.retries, DEFAULT_RETRIES);
  const backoffMs = setting('backoffMs', options.backoffMs, DEFAULT_BACKOFF_MS);
  const timeoutMs = setting('timeoutMs', options.timeoutMs, DEFAULT_HUB_TIMEOUT_MS);

  const pending = new Set<string>();
  const jobs = new Map<string, Job>();
  const slots = new Map<string, { active: number; queue: Array<() => void> }>();
  const sleepers = new Set<() => void>();
  const inFlight = new Set<AbortController>();
  let idleWaiters: Array<() => void> = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function report(line: string): void {
    try {
      log(line);
    } catch {
      // A broken logger must not turn a failed ping into a crash.
    }
  }

  function settle(): void {
    if (closed || (jobs.size === 0 && flushTimer === undefined)) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function flush(): void {
    flushTimer = undefined;
    const topics = [...pending];
    pending.clear();
    for (const hub of hubs) for (const topic of topics) enqueue(hub, topic);
    settle();
  }

  function enqueue(hub: string, topic: string): void {
    const key = `${hub} ${topic}`;
    const existing = jobs.get(key);
    // Queued or waiting to retry: that request has not left yet and will make the hub fetch the new feed.
    if (existing) {
      if (existing.onWire) existing.again = true;
      return;
    }
    const job: Job = { onWire: false, again: false };
    jobs.set(key, job);
    run(hub, topic, job)
      .catch((error: unknown) => report(`[websub] publish to ${hub} for ${topic} stopped: ${describe(error)}`))
      .finally(() => {
        jobs.delete(key);
        settle();
      });
  }

  async function run(hub: string, topic: string, job: Job): Promise<void> {
    do {
      job.again = false;
      await deliver(hub, topic, job);
    } while (job.again && !closed);
  }

  async function deliver(hub: string, topic: string, job: Job): Promise<void> {
    for (let attempt = 1; !closed; attempt++) {
      const outcome = await publish(hub, topic, job);
      if (outcome.ok || closed) return;
      if (!outcome.retry || attempt > retries) {
        const attempts = `${attempt} attempt${attempt === 1 ? '' : 's'}`;
        report(`[websub] publish to ${hub} for ${topic} failed after ${attempts}: ${outcome.reason}`);
        return;
      }
      job.again = false; // the retry goes out after any change made while this attempt was on the wire
      await sleep(Math.min(MAX_BACKOFF_MS, outcome.retryAfterMs ?? backoffDelay(backoffMs, attempt - 1, MAX_BACKOFF_MS)));
    }
  }

  async function publish(hub: string, topic: string, job: Job): Promise<Outcome> {
    await acquire(hub);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    inFlight.add(controller);
    job.onWire = true;
    try {
      if (closed) return { ok: false, reason: 'closed', retry: false };
      // WebSub §7 leaves the publish request to hubs; this form is the one Google's hub,
      // Superfeedr and WebSub Rocks accept. Redirects are not followed: fetch would turn a
      // 301/302 POST into a GET, which a hub's home page may answer 200 without publishing.
      const response = await send(hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic }).toString(),
        redirect: 'manual',
        signal: controller.signal,
      });
      if (response.ok) {
        await response.body?.cancel().catch(() => {});
        return { ok: true };
      }
      const reason = await explain(response);
      if (response.status === 429 || response.status >= 500) {
        return { ok: false, reason, retry: true, retryAfterMs: retryAfterMs(response.headers.get('retry-after')) };
      }
      return { ok: false, reason, retry: false };
    } catch (error) {
      return { ok: false, reason: timedOut ? `no answer within ${timeoutMs} ms` : describe(error), retry: true };
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
      job.onWire = false;
      release(hub);
    }
  }

  function acquire(hub: string): Promise<void> {
    let slot = slots.get(hub);
    if (!slot) slots.set(hub, (slot = { active: 0, queue: [] }));
    if (slot.active < HUB_CONCURRENCY || closed) {
      slot.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => slot.queue.push(resolve));
  }

  function release(hub: string): void {
    const slot = slots.get(hub);
    const next = slot?.queue.shift();
    if (next) next(); // hand the slot straight over
    else if (slot) slot.active--;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  }

  return {
    changed(sections) {
      if (closed || hubs.length === 0) return;
      try {
        for (const topic of topicsFor(options.site, sections)) pending.add(topic);
      } catch (error) {
        report(`[websub] could not read the changed sections: ${describe(error)}`);
      }
      if (pending.size > 0 && flushTimer === undefined) flushTimer = setTimeout(flush, debounceMs);
    },
    idle() {
      if (closed || (jobs.size === 0 && flushTimer === undefined)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(flushTimer);
      flushTimer = undefined;
      pending.clear();
      for (const wake of [...sleepers]) wake();
      for (const controller of inFlight) controller.abort();
      for (const slot of slots.values()) for (const resolve of slot.queue.splice(0)) resolve();
      settle();
    },
  };
}

/** The topic URLs a change to `sections` touches: each section's feed in every format plus the combined feeds (page 1 only). No sections, no topics. */
export function topicsFor(site: SiteConfig, sections: Iterable<string>): string[] {
  const topics = new Set<string>();
  for (const section of sections) {
    if (section.trim() === '') continue;
    for (const format of FEED_FORMATS) topics.add(absolute(site, feedPath(format, section)));
  }
  if (topics.size === 0) return [];
  for (const format of FEED_FORMATS) topics.add(absolute(site, feedPath(format)));
  return [...topics];
}

function setting(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(`[websub] createHubNotifier: "${name}" must be a number >= 0, got ${value}`);
  }
  return value;
}

async function explain(response: Response): Promise<string> {
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    await response.body?.cancel().catch(() => {});
    const location = response.headers.get('location');
    return `${status}${location ? ` to ${location}` : ''}: redirects are not followed, put the final hub URL in WEBSUB_HUBS`;
  }
  const text = await response.text().catch(() => '');
  const detail = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  return detail ? `${status}: ${detail}` : status;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  return cause instanceof Error && cause.message ? `${error.message} (${cause.message})` : error.message;
}
