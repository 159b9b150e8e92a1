// Local WebSub hubs for the notifier tests: a real one over node:http on 127.0.0.1 (what goes on
// the wire), and one behind the notifier's `fetch` option on vitest's fake clock (when it goes).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

/** What the hub answers: a status, a status with headers, or 'hang' (never answers). */
export type Reply = number | { status: number; headers: Record<string, string> } | 'hang';

export interface Received {
  method: string;
  contentType: string | undefined;
  mode: string | null;
  topic: string | null;
}

export interface TestHub {
  url: string;
  requests: Received[];
  /** Decides the answer from the topic and how many requests for it came before. Default: 204. */
  reply: (topic: string, previous: number) => Reply;
  topics(): string[];
  close(): Promise<void>;
}

const servers: Server[] = [];

/** Closes every hub `startHub` started (afterEach). */
export async function closeHubs(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A hub on a free loopback port; `close()` leaves its URL unreachable. */
export async function startHub(): Promise<TestHub> {
  const hub: TestHub = {
    url: '',
    requests: [],
    reply: () => 204,
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
      hub.requests.push({ method: req.method ?? '', contentType: req.headers['content-type'], mode: body.get('hub.mode'), topic });
      const reply = hub.reply(topic, previous);
      if (reply === 'hang') return;
      const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
      res.writeHead(status, headers).end(status >= 400 ? `hub says no (${status})` : '');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hub`;
  return hub;
}

/** The fake clock's start: a whole second, so an HTTP date (whole seconds) can name an exact instant. */
export const START = Date.parse('2026-03-02T10:00:00Z');
export const FAKE_HUB_URL = 'https://hub.example.net/';

/** Fakes setTimeout, clearTimeout and Date (the notifier's only clocks), starting at START. */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: START });
}

export interface FakeRequest {
  topic: string;
  /** Milliseconds since START on the fake clock when the request was sent. */
  at: number;
  signal: AbortSignal;
}

/** A hub behind the notifier's `fetch` option, for the tests on the fake clock. */
export interface FakeHub {
  fetch: typeof fetch;
  requests: FakeRequest[];
  /** Decides the answer from the topic and how many requests for it came before; may wait. Default: 204. */
  reply: (topic: string, previous: number) => Reply | Promise<Reply>;
  /** Most requests for one topic that were on the wire at the same moment. */
  maxConcurrentPerTopic: number;
  /** Resolves once `count` requests have been sent. */
  arrived(count: number): Promise<void>;
  /** When each request for `topic` was sent. */
  timesFor(topic: string): number[];
  topics(): string[];
}

export function fakeHub(): FakeHub {
  const open = new Map<string, number>();
  const waiting = new Set<{ count: number; resolve: () => void }>();
  const wake = () => {
    for (const waiter of waiting) {
      if (hub.requests.length < waiter.count) continue;
      waiting.delete(waiter);
      waiter.resolve();
    }
  };
  const hub: FakeHub = {
    requests: [],
    reply: () => 204,
    maxConcurrentPerTopic: 0,
    arrived: (count) =>
      new Promise((resolve) => {
        waiting.add({ count, resolve });
        wake();
      }),
    timesFor: (topic) => hub.requests.filter((r) => r.topic === topic).map((r) => r.at),
    topics: () => hub.requests.map((r) => r.topic).sort(),
    async fetch(_input, init) {
      const topic = new URLSearchParams(String(init?.body)).get('hub.url') ?? '';
      const signal = init!.signal!;
      const previous = hub.requests.filter((r) => r.topic === topic).length;
      hub.requests.push({ topic, at: Date.now() - START, signal });
      open.set(topic, (open.get(topic) ?? 0) + 1);
      hub.maxConcurrentPerTopic = Math.max(hub.maxConcurrentPerTopic, open.get(topic)!);
      wake();
      try {
        // As with fetch, an abort ends the wait for the answer.
        const reply = await Promise.race([hub.reply(topic, previous), abortOf(signal)]);
        if (reply === 'hang') return await abortOf(signal);
        const { status, headers } = typeof reply === 'number' ? { status: reply, headers: {} } : reply;
        return new Response(status >= 400 ? `hub says no (${status})` : null, { status, headers });
      } finally {
        open.set(topic, open.get(topic)! - 1);
      }
    },
  };
  return hub;
}

/** Rejects with the signal's reason once it aborts; never settles otherwise. */
export function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
}
