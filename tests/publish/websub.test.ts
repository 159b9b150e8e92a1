// The hub notifier: what it sends, against a real local HTTP hub; when it sends (debounce, backoff,
// Retry-After, time-outs, close), on fake timers with a hub behind the injected fetch, so every
// delay it asks for is asserted to the millisecond.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SiteConfig } from '../../src/site/config.ts';
import { ConfigError } from '../../src/errors.ts';
import {
  createHubNotifier,
  MAX_BACKOFF_MS,
  topicsFor,
  type HubNotifier,
  type HubNotifierOptions,
} from '../../src/publish/websub.ts';
import { closeHubs, fakeHub, FAKE_HUB_URL, START, startHub, useFakeClock, type FakeHub, type Reply } from './hubs.ts';

const SITE: SiteConfig = { baseUrl: 'https://news.example.com', title: 'Test', language: 'en', idAuthority: 'news.example.com' };
const COMBINED = ['https://news.example.com/rss.xml', 'https://news.example.com/atom.xml', 'https://news.example.com/feed.json'];
const sectionTopics = (section: string): string[] => ['rss.xml', 'atom.xml', 'feed.json'].map((f) => `https://news.example.com/${section}/${f}`);
/** The topics a change to `news` touches, in the order the notifier queues them. */
const NEWS = [...sectionTopics('news'), ...COMBINED];

const notifiers: HubNotifier[] = [];

afterEach(async () => {
  for (const notifier of notifiers.splice(0)) notifier.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
  await closeHubs();
});

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

/** A notifier sending to the fake hub. */
function onFakeHub(hub: FakeHub, options: Partial<HubNotifierOptions> = {}): { notifier: HubNotifier; lines: string[] } {
  return notifier([FAKE_HUB_URL], { fetch: hub.fetch, ...options });
}

/** The waits between consecutive times. */
const gaps = (times: number[]): number[] => times.slice(1).map((time, i) => time - times[i]!);

describe('topicsFor', () => {
  it('lists each section’s three feeds and the three combined feeds, once each', () => {
    expect(topicsFor(SITE, ['news', 'sport', 'news'])).toEqual([...sectionTopics('news'), ...sectionTopics('sport'), ...COMBINED]);
  });

  it('touches nothing when no section changed', () => {
    expect(topicsFor(SITE, [])).toEqual([]);
  });
});

describe('createHubNotifier: the requests', () => {
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
    expect(hub.topics()).toEqual([...NEWS].sort());
    expect(lines).toEqual([]);
  });

  it('notifies every hub', async () => {
    const [a, b] = [await startHub(), await startHub()];
    const { notifier: n } = notifier([a.url, b.url]);
    n.changed(['news']);
    await n.idle();
    expect(a.topics()).toEqual([...NEWS].sort());
    expect(b.topics()).toEqual([...NEWS].sort());
  });

  it('retries a 500 and delivers on the next attempt', async () => {
    const hub = await startHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 500 : 204);
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.topics()).toEqual([...NEWS, ...NEWS].sort());
    expect(lines).toEqual([]);
  });

  it('retries a 429 with Retry-After: 0, and a 503', async () => {
    const hub = await startHub();
    hub.reply = (topic, previous) =>
      previous > 0 ? 204 : topic.endsWith('.xml') ? { status: 429, headers: { 'retry-after': '0' } } : 503;
    const { notifier: n, lines } = notifier([hub.url]);
    n.changed(['news']);
    await n.idle();
    expect(hub.topics()).toEqual([...NEWS, ...NEWS].sort());
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
    expect(hub.requests.map((r) => r.method)).toEqual(Array(6).fill('POST'));
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/HTTP 301 Moved Permanently to \/elsewhere: redirects are not followed/);
  });

  it('aborts a request to a hub that never answers, then retries', async () => {
    const hub = await startHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 'hang' : 204);
    const { notifier: n, lines } = notifier([hub.url], { timeoutMs: 150 });
    n.changed(['news']);
    await n.idle();
    expect(hub.topics()).toEqual([...NEWS, ...NEWS].sort());
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

  it('refuses a bad hub URL at construction', () => {
    expect(() => createHubNotifier({ hubs: ['/hub'], site: SITE })).toThrow(ConfigError);
  });
});

describe('createHubNotifier: when it sends (fake clock)', () => {
  it('coalesces a burst of changes into one ping per topic, sent when the quiet window ends', async () => {
    useFakeClock();
    const hub = fakeHub();
    const { notifier: n } = onFakeHub(hub, { debounceMs: 100 });
    for (let i = 0; i < 50; i++) n.changed([i % 2 ? 'news' : 'sport']);
    await vi.advanceTimersByTimeAsync(99);
    expect(hub.requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await n.idle();
    expect(hub.topics()).toEqual([...sectionTopics('news'), ...sectionTopics('sport'), ...COMBINED].sort());
    expect(new Set(hub.requests.map((r) => r.at))).toEqual(new Set([100]));
  });

  it('flushes when the window that opened with the first change ends: a later change does not extend it', async () => {
    useFakeClock();
    const hub = fakeHub();
    const { notifier: n } = onFakeHub(hub, { debounceMs: 150 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(100);
    n.changed(['sport']);
    await vi.advanceTimersByTimeAsync(49);
    expect(hub.requests).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await n.idle();
    expect(hub.topics()).toEqual([...sectionTopics('news'), ...sectionTopics('sport'), ...COMBINED].sort());
    expect(new Set(hub.requests.map((r) => r.at))).toEqual(new Set([150]));
  });

  it.each([
    [0, [50, 100, 200]],
    [0.5, [75, 150, 300]],
    [1, [100, 200, 400]],
  ])('backs off from backoffMs, doubling per retry, jittered down to half (Math.random() %s: waits %j ms)', async (random, waits) => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const hub = fakeHub();
    hub.reply = () => 503;
    const { notifier: n, lines } = onFakeHub(hub, { retries: 3, backoffMs: 100 });
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    for (const topic of NEWS) expect(gaps(hub.timesFor(topic)), topic).toEqual(waits);
    expect([...lines].sort()).toEqual(
      NEWS.map((topic) => `[websub] publish to ${FAKE_HUB_URL} for ${topic} failed after 4 attempts: HTTP 503: hub says no (503)`).sort(),
    );
  });

  it.each([
    [1, [40_000, MAX_BACKOFF_MS, MAX_BACKOFF_MS]],
    [0, [20_000, MAX_BACKOFF_MS / 2, MAX_BACKOFF_MS / 2]],
  ])(`caps the delay at MAX_BACKOFF_MS (${MAX_BACKOFF_MS} ms) before the jitter (Math.random() %s: waits %j ms)`, async (random, waits) => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const hub = fakeHub();
    hub.reply = () => 503;
    const { notifier: n } = onFakeHub(hub, { retries: 3, backoffMs: 40_000 });
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    for (const topic of NEWS) expect(gaps(hub.timesFor(topic)), topic).toEqual(waits);
  });

  it('waits what Retry-After asks, in seconds or as an HTTP date, capped at MAX_BACKOFF_MS; an unreadable one means the backoff', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const asks: Record<string, string> = {
      [COMBINED[0]!]: '7',
      [COMBINED[1]!]: new Date(START + 30_000).toUTCString(),
      [COMBINED[2]!]: '3600',
      [NEWS[0]!]: 'soon',
    };
    const hub = fakeHub();
    hub.reply = (topic, previous) => (previous === 0 && asks[topic] ? { status: 429, headers: { 'retry-after': asks[topic] } } : 204);
    const { notifier: n, lines } = onFakeHub(hub, { debounceMs: 20, backoffMs: 20 });
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    expect(hub.timesFor(COMBINED[0]!)).toEqual([20, 20 + 7000]);
    expect(hub.timesFor(COMBINED[1]!)).toEqual([20, 30_000]);
    expect(hub.timesFor(COMBINED[2]!)).toEqual([20, 20 + MAX_BACKOFF_MS]);
    // The backoff with the least jitter: half of backoffMs.
    expect(hub.timesFor(NEWS[0]!)).toEqual([20, 30]);
    for (const topic of NEWS.slice(1, 3)) expect(hub.timesFor(topic), topic).toEqual([20]);
    expect(lines).toEqual([]);
  });

  it('gives a request timeoutMs to answer, aborts it, and retries after the backoff', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const hub = fakeHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 'hang' : 204);
    const { notifier: n, lines } = onFakeHub(hub, { debounceMs: 20, timeoutMs: 150, backoffMs: 20 });
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    // Four requests per hub on the wire at once: the first four hang from 20 to 170 ms and retry
    // 10 ms later; the other two get their slots at 170 ms, hang until 320 ms and retry at 330 ms.
    for (const topic of NEWS.slice(0, 4)) expect(hub.timesFor(topic), topic).toEqual([20, 180]);
    for (const topic of NEWS.slice(4)) expect(hub.timesFor(topic), topic).toEqual([170, 330]);
    const firsts = NEWS.map((topic) => hub.requests.find((r) => r.topic === topic)!);
    expect(firsts.map((r) => r.signal.aborted)).toEqual(Array(6).fill(true));
    expect(lines).toEqual([]);
  });

  it('logs "no answer within timeoutMs" when the last attempt times out', async () => {
    useFakeClock();
    const hub = fakeHub();
    hub.reply = () => 'hang';
    const { notifier: n, lines } = onFakeHub(hub, { retries: 0, timeoutMs: 150 });
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    expect([...lines].sort()).toEqual(
      NEWS.map((topic) => `[websub] publish to ${FAKE_HUB_URL} for ${topic} failed after 1 attempt: no answer within 150 ms`).sort(),
    );
  });

  it('never sends a topic twice at once: changed while on the wire, it goes again once answered', async () => {
    useFakeClock();
    const hub = fakeHub();
    const [held] = NEWS;
    let answer = (): void => {};
    const answered = new Promise<Reply>((resolve) => (answer = () => resolve(204)));
    hub.reply = (topic, previous) => (topic === held && previous === 0 ? answered : 204);
    const { notifier: n } = onFakeHub(hub, { debounceMs: 10 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    await hub.arrived(6);
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    await hub.arrived(11);
    expect(hub.timesFor(held!)).toEqual([10]);
    answer();
    await n.idle();
    expect(hub.maxConcurrentPerTopic).toBe(1);
    for (const topic of NEWS) expect(hub.timesFor(topic), topic).toEqual([10, 20]);
  });

  it('sends a topic once for a change made while its requests wait for a slot', async () => {
    useFakeClock();
    const hub = fakeHub();
    let answer = (): void => {};
    const answered = new Promise<Reply>((resolve) => (answer = () => resolve(204)));
    hub.reply = (_topic, previous) => (previous === 0 ? answered : 204);
    const { notifier: n } = onFakeHub(hub, { debounceMs: 10 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    // Four on the wire (the limit per hub), two waiting for a slot; the second window ends meanwhile.
    await hub.arrived(4);
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    expect(hub.requests).toHaveLength(4);
    answer();
    await n.idle();
    expect(hub.maxConcurrentPerTopic).toBe(1);
    // The four that were on the wire go again; the two that had not left yet carry the change.
    for (const topic of NEWS.slice(0, 4)) expect(hub.timesFor(topic), topic).toHaveLength(2);
    for (const topic of NEWS.slice(4)) expect(hub.timesFor(topic), topic).toHaveLength(1);
  });

  it('lets the retry of a failed attempt carry a change made while that attempt was on the wire', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const hub = fakeHub();
    const [held] = NEWS;
    let answer = (): void => {};
    const answered = new Promise<Reply>((resolve) => (answer = () => resolve(503)));
    hub.reply = (topic, previous) => (topic === held && previous === 0 ? answered : 204);
    const { notifier: n } = onFakeHub(hub, { debounceMs: 10, backoffMs: 100 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    await hub.arrived(6);
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    answer();
    await vi.runAllTimersAsync();
    await n.idle();
    expect(hub.timesFor(held!)).toEqual([10, 120]);
  });

  it('lets a retry waiting for its turn carry a change made meanwhile: no extra request', async () => {
    useFakeClock();
    vi.spyOn(Math, 'random').mockReturnValue(1);
    const hub = fakeHub();
    hub.reply = (_topic, previous) => (previous === 0 ? 503 : 204);
    const { notifier: n } = onFakeHub(hub, { debounceMs: 10, backoffMs: 200 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    // All six answered 503 at 10 ms and wait 200 ms; the next change's window ends at 20 ms.
    await hub.arrived(6);
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(10);
    expect(hub.requests).toHaveLength(6);
    await vi.runAllTimersAsync();
    await n.idle();
    for (const topic of NEWS) expect(hub.timesFor(topic), topic).toEqual([10, 210]);
  });

  it('cancels waiting retries on close(): idle() resolves, no timer is left and nothing more is sent', async () => {
    useFakeClock();
    const hub = fakeHub();
    hub.reply = () => 503;
    const { notifier: n, lines } = onFakeHub(hub, { backoffMs: 100 });
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(20);
    await hub.arrived(6);
    n.close();
    await n.idle();
    expect(vi.getTimerCount()).toBe(0);
    n.changed(['news']);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(MAX_BACKOFF_MS);
    expect(hub.requests).toHaveLength(6);
    expect(lines).toEqual([]);
  });

  it('aborts the requests on the wire on close(), sends nothing more, and idle() resolves', async () => {
    useFakeClock();
    const hub = fakeHub();
    hub.reply = () => 'hang';
    const { notifier: n, lines } = onFakeHub(hub);
    n.changed(['news']);
    await vi.advanceTimersByTimeAsync(20);
    await hub.arrived(4);
    n.close();
    await n.idle();
    expect(hub.requests.map((r) => r.signal.aborted)).toEqual(Array(4).fill(true));
    // Neither a retry of those four nor the two waiting for a slot go out afterwards.
    await vi.advanceTimersByTimeAsync(MAX_BACKOFF_MS);
    expect(hub.requests).toHaveLength(4);
    expect(lines).toEqual([]);
  });

  it('drops queued pings on close() before the window ends', async () => {
    useFakeClock();
    const hub = fakeHub();
    const { notifier: n } = onFakeHub(hub, { debounceMs: 30 });
    n.changed(['news']);
    n.close();
    await n.idle();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.requests).toEqual([]);
  });

  it('does nothing without hubs: no timer, no request, idle() at once', async () => {
    useFakeClock();
    const hub = fakeHub();
    const { notifier: n } = notifier([], { fetch: hub.fetch });
    n.changed(['news']);
    expect(vi.getTimerCount()).toBe(0);
    await n.idle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(hub.requests).toEqual([]);
  });

  it('never throws from changed() or a failed ping, even with a broken logger or a broken section list', async () => {
    useFakeClock();
    const hub = fakeHub();
    hub.reply = () => 400;
    const tried: string[] = [];
    const { notifier: n } = onFakeHub(hub, {
      log: (line) => {
        tried.push(line);
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
    expect(tried).toEqual([
      '[websub] could not read the changed sections: not iterable after all',
      '[websub] could not read the changed sections: section.trim is not a function',
    ]);
    expect(vi.getTimerCount()).toBe(0);
    n.changed(['news']);
    await vi.runAllTimersAsync();
    await n.idle();
    expect(hub.requests).toHaveLength(6);
    const failures = tried.slice(2);
    expect(failures).toHaveLength(6);
    for (const line of failures) expect(line).toMatch(/ failed after 1 attempt: HTTP 400: hub says no \(400\)$/);
  });
});
