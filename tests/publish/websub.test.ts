// The hub notifier against real local HTTP hubs (node:http on 127.0.0.1, port 0).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../../src/site/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { createHubNotifier, topicsFor, type HubNotifier, type HubNotifierOptions } from '../../src/publish/websub.ts';
import { waitFor } from '../helpers/wait.ts';

const SITE: SiteConfig = { baseUrl: 'https://news.example.com', title: 'Test', language: 'en', idAuthority: 'news.example.com' };
const COMBINED = ['https://news.example.com/rss.xml', 'https://news.example.com/atom.xml', 'https://news.example.com/feed.json'];
const sectionTopics = (section: string): string[] => ['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://news.example.com/${section}/${f}`);

/** What the hub answers: a status, a status with headers, or 'hang' (never answers). */
type Reply = number | { status: number; headers: Record<string, string> } | 'hang';

interface Received {
  method: string;
  contentType: string | undefined;
  mode: string | null;
  topic: string | null;
  /** performance.now() when the request arrived. */
  at: number;
}

interface TestHub {
  url: string;
  requests: Received[];
  /** Decides the answer from the topic and how many requests for it came before. Default: 204. */
  reply: (topic: string, previous: number) => Reply;
  /** Most requests for one topic that were open at the same moment. */
  maxConcurrentPerTopic: number;
  /** Delay before answering, to keep a request on the wire. */
  delayMs: number;
  topics(): string[];
  close(): Promise<void>;
}

const servers: Server[] = [];
const notifiers: HubNotifier[] = [];

afterEach(async () => {
  for (const notifier of notifiers.splice(0)) notifier.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startHub(): Promise<TestHub> {
  const open = new Map<string, number>();
  const hub: TestHub = {
    url: '',
    requests: [],
    reply: () => 204,
    maxConcurrentPerTopic: 0,
    delayMs: 0,
    topics: () => hub.requests.map((r) => r.topic ?? '').sort(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const topic = body.get('hub.url') ?? '';
      const previous = hub.requests.filter((r) => r.topic === topic).length;
      hub.requests.push({ method: req.method ?? '', contentType: req.headers['content-type'], mode: body.get('hub.mode'), topic, at: performance.now() });
      open.set(topic, (open.get(topic) ?? 0) + 1);
      hub.maxConcurrentPerTopic = Math.max(hub.maxConcurrentPerTopic, open.get(topic)!);
      res.on('close', () => open.set(topic, open.get(topic)! - 1));
      const reply = hub.reply(topic, previous);
      if (reply === 'hang') return;
      const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
      setTimeout(() => res.writeHead(status, headers).end(status >= 400 ? `hub says no (${status})` : ''), hub.delayMs);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
  return hub;
}

/** A notifier with test-sized timings; log lines collected in `lines`. */
function notifier(hubs: string[], options: Partial<HubNotifierOptions> = {}): { notifier: HubNotifier; lines: string[] } {
  const lines: string[] = [];
  const created = createHubNotifier({
    hubs,
    site: SITE,
    log: (line) => lines.push(line),
    debounceMs: 20,
    retries: 3,
    backoffMs: 20,
    timeoutMs: 2000,
    ...options,
  });
  notifiers.push(created);
  return { notifier: created, lines };
}

describe('topicsFor', () => {
  it('lists each section’s three feeds and the three combined feeds, once each', () => {
    expect(topicsFor(SITE, ['news', 'sport', 'news'])).toEqual([...sectionTopics('news'), ...sectionTopics('sport'), ...COMBINED]);
  });

  it('touches nothing when no section changed', () => {
    expect(topicsFor(SITE, [])).toEqual([]);
  });
});

describe('createHubNotifier', () => {
  it('POSTs one form-encoded publish request per topic after one change', async () => {
    const hub = await startHub();
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.requests).toHaveLength(6);
    for (const request of hub.requests) {
      expect(request.method).toBe('POST');
      expect(request.contentType).toBe('application/x-www-form-urlencoded');
      expect(request.mode).toBe('publish');
    }
    expect(hub.topics()).toEqual([...sectionTopics('news'), ...COMBINED].sort());
    expect(lines).toEqual([]);
  });

  it('coalesces a burst of changes into one ping per topic, sent after the quiet window', async () => {
    const hub = await startHub();
    const { notifier: n } = notifier([hub.url], { debounceMs: 100 });
    for (let i = 0; i < 50; i++) n.changed([i % 2 ? 'news' : 'sport']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hub.requests).toHaveLength(0);
    await n.idle();
    expect(hub.topics()).toEqual([...sectionTopics('news'), ...sectionTopics('sport'), ...COMBINED].sort());
  });

  it('flushes when the window that opened with the first change ends, not later', async () => {
    const hub = await startHub();
    const { notifier: n } = notifier([hub.url], { debounceMs: 150 });
    const started = performance.now();
    n.changed(['news']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    n.changed(['sport']);
    await n.idle();
    expect(hub.requests).toHaveLength(9);
    // Extending the window on the second change would put the first ping at 250 ms or later.
    const first = Math.min(...hub.requests.map((r) => r.at)) - started;
    expect(first).toBeGreaterThanOrEqual(140);
    expect(first).toBeLessThan(230);
  });

  it('notifies every hub', async () => {
    const [a, b] = [await startHub(), await startHub()];
    const { notifier: n } = notifier([a.url, b.url]);
    n.changed(['news']);
    await n.idle();
    expect(a.requests).toHaveLength(6);
    expect(b.requests).toHaveLength(6);
  });

  it('retries a 500 and delivers on the next attempt', async () => {
    const hub = await startHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 500 : 204);
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.requests).toHaveLength(12);
    expect(lines).toEqual([]);
  });

  it('retries a 429 with Retry-After: 0, and a 503', async () => {
    const hub = await startHub();
    hub.reply = (topic, previous) =>
      previous > 0 ? 204 : topic.endsWith('.xml') ? { status: 429, headers: { 'retry-after': '0' } } : 503;
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.requests).toHaveLength(12);
    expect(lines).toEqual([]);
  });

  it('does not retry a 400 and logs it once with the hub’s reason', async () => {
    const hub = await startHub();
    hub.reply = (topic) => (topic === COMBINED[0] ? 400 : 204);
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.requests).toHaveLength(6);
    expect(lines).toEqual([
      `[websub] publish to ${hub.url} for ${COMBINED[0]} failed after 1 attempt: HTTP 400 Bad Request: hub says no (400)`,
    ]);
  });

  it('does not follow a redirect, which would turn the POST into a GET', async () => {
    const hub = await startHub();
    hub.reply = () => ({ status: 301, headers: { location: '/elsewhere' } });
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.requests.every((r) => r.method === 'POST')).toBe(true);
    expect(hub.requests).toHaveLength(6);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/HTTP 301 Moved Permanently to \/elsewhere: redirects are not followed/);
  });

  it('times out a hub that never answers, then retries', async () => {
    const hub = await startHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 'hang' : 204);
    const { notifier: n, lines } = notifier([hub.url], { timeoutMs: 150 });
    const started = performance.now();
    n.changed(['news']);
    await n.idle();
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(hub.requests).toHaveLength(12);
    expect(lines).toEqual([]);
  });

  it('gives up on an unreachable hub after its retries with one line per topic, and changed() never throws', async () => {
    const closedHub = await startHub();
    await closedHub.close();
    const { notifier: n, lines } = notifier([closedHub.url], { retries: 2, backoffMs: 5 });
    expect(() => n.changed(['news'])).not.toThrow();
    await n.idle();
    expect(lines).toHaveLength(6);
    for (const line of lines) {
      expect(line).toMatch(/^\[websub\] publish to http:\/\/127\.0\.0\.1:\d+\/hub for https:\/\/\S+ failed after 3 attempts: fetch failed/);
    }
  });

  it('never throws from changed(), even with a broken logger or a broken section list', async () => {
    const { notifier: n } = notifier(['http://127.0.0.1:9/'], {
      log: () => {
        throw new Error('logger down');
      },
    });
    const broken: Iterable<string> = {
      [Symbol.iterator]: () => {
        throw new Error('not iterable after all');
      },
    };
    expect(() => n.changed(broken)).not.toThrow();
    expect(() => n.changed([42 as unknown as string])).not.toThrow();
    await n.idle();
  });

  it('never sends the same topic twice at once when it changes while on the wire, but sends it again after', async () => {
    const hub = await startHub();
    hub.delayMs = 150;
    const { notifier: n } = notifier([hub.url], { debounceMs: 10 });
    n.changed(['news']);
    await waitFor(() => hub.requests.length === 6, { what: 'first round on the wire' });
    n.changed(['news']);
    await n.idle();
    expect(hub.maxConcurrentPerTopic).toBe(1);
    expect(hub.requests).toHaveLength(12);
  });

  it('lets a pending retry carry a change made while it waits', async () => {
    const hub = await startHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 503 : 204);
    const { notifier: n } = notifier([hub.url], { debounceMs: 10, backoffMs: 200 });
    n.changed(['news']);
    await waitFor(() => hub.requests.length === 6, { what: 'first round answered 503' });
    n.changed(['news']);
    await n.idle();
    expect(hub.requests).toHaveLength(12);
  });

  it('cancels pending retries on close() and idle() resolves', async () => {
    const hub = await startHub();
    hub.reply = () => 503;
    const { notifier: n, lines } = notifier([hub.url], { backoffMs: 100 });
    n.changed(['news']);
    await waitFor(() => hub.requests.length === 6, { what: 'first round answered 503' });
    n.close();
    await n.idle();
    n.changed(['news']);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(hub.requests).toHaveLength(6);
    expect(lines).toEqual([]);
  });

  it('drops queued pings on close() before the window ends', async () => {
    const hub = await startHub();
    const { notifier: n } = notifier([hub.url], { debounceMs: 30 });
    n.changed(['news']);
    n.close();
    await n.idle();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(hub.requests).toHaveLength(0);
  });

  it('does nothing without hubs', async () => {
    const { notifier: n } = notifier([]);
    n.changed(['news']);
    await n.idle();
  });

  it('refuses a bad hub URL at construction', () => {
    expect(() => createHubNotifier({ hubs: ['/hub'], site: SITE })).toThrow(ConfigError);
  });
});
