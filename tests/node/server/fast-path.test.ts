// The Node fast path for cached feeds (src/node/server/fast-path.ts) answers exactly as the app does:
// one app behind two real servers on ephemeral ports, one with the fast path in front and one
// without, asked the same requests; status, headers (but Date/Connection/Keep-Alive) and bytes
// must agree, and the fast server must not have passed the cacheable ones to the app.
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** Request headers; an array sends the field once per value. */
type Fields = Record<string, string | string[]>;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.ts';
import { feedFastPath } from '../../../src/http/feed-fast-path.ts';
import { NODE_ENCODERS } from '../../../src/node/server/encoders.ts';
import { answerFromCache } from '../../../src/node/server/fast-path.ts';
import { startServer, type RunningServer } from '../../../src/node/server/http-server.ts';
import { startWirefeed } from '../../../src/node/server/serve.ts';
import { createMemoryStore, type MemoryStore } from '../../../src/store/drivers/memory.ts';
import { SITE, makeParsed, txt } from '../../helpers/articles.ts';
import { makeTempDir, txtArticle } from '../../helpers/temp-dir.ts';

interface Answer {
  status: number;
  /** Header lines as sent, in order, but the per-connection and per-moment ones. */
  headers: [string, string][];
  body: Buffer;
}

const SKIPPED = new Set(['date', 'connection', 'keep-alive']);

function send(port: number, method: string, path: string, headers: Fields = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: headers as OutgoingHttpHeaders }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const lines: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          if (!SKIPPED.has(name)) lines.push([name, res.rawHeaders[i + 1]!]);
        }
        resolve({ status: res.statusCode!, headers: lines, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const START = Date.parse('2025-06-01T00:00:00Z');
const clock = { now: START };
const DUE = START + 60_000;
let store: MemoryStore;
let fast: RunningServer;
let plain: RunningServer;
/** Requests the fast server passed on to the app. */
let passedOn = 0;

beforeAll(async () => {
  store = createMemoryStore({ now: () => new Date(clock.now) });
  // Tagged (a trailing Tags line), so tag feeds are asked for too.
  for (let i = 0; i < 12; i++) store.put(txt('World', `world-${i}`, i, `${`Paragraph ${i}. `.repeat(200)}\n\nTags: Storms`));
  for (let i = 0; i < 3; i++) store.put(txt('Sports', `sports-${i}`, 20 + i));
  store.put(txt('C++ & <Tech>', 'tech', 30));
  store.put(makeParsed('later.md', `---\ntitle: Embargoed story\nsection: World\ndate: ${new Date(DUE).toISOString()}\n---\nBody.`));
  const app = createApp({
    store,
    site: SITE,
    feedLimit: 5,
    hubs: ['https://hub.example/', 'https://other-hub.example/websub'],
    encoders: NODE_ENCODERS,
    now: () => clock.now,
  });
  const fastPath = feedFastPath(app)!;
  fast = await startServer(
    (req) => {
      passedOn += 1;
      return app.fetch(req);
    },
    { port: 0, host: '127.0.0.1', before: (req, res) => answerFromCache(fastPath, req, res) },
  );
  plain = await startServer((req) => app.fetch(req), { port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all([fast?.close(), plain?.close()]);
});

/** Asks the plain server (which also fills the cache), then the fast one; returns both answers. */
async function both(method: string, path: string, headers: Fields = {}) {
  const expected = await send(plain.port, method, path, headers);
  const before = passedOn;
  const actual = await send(fast.port, method, path, headers);
  return { expected, actual, passedOn: passedOn - before };
}

async function expectSame(method: string, path: string, headers: Fields = {}): Promise<{ status: number; fast: boolean }> {
  const { expected, actual, passedOn } = await both(method, path, headers);
  const label = `${method} ${path} ${JSON.stringify(headers)}`;
  expect(actual.status, label).toBe(expected.status);
  expect(actual.headers, label).toEqual(expected.headers);
  expect(actual.body.equals(expected.body), `${label}: body`).toBe(true);
  return { status: expected.status, fast: passedOn === 0 };
}

const FEED_URLS = [
  '/rss.xml',
  '/atom.xml',
  '/feed.json',
  '/rss.xml?page=2',
  '/world/rss.xml',
  '/world/atom.xml',
  '/world/feed.json',
  '/world/rss.xml?page=2',
  '/world/atom.xml?limit=3',
  '/world/feed.json?page=2&limit=4',
  '/sports/rss.xml?limit=5',
  '/c-and-tech/atom.xml',
  '/tags/storms/rss.xml',
  '/tags/storms/atom.xml?limit=3',
  '/tags/storms/feed.json?page=2&limit=4',
];
const OTHER_URLS = [
  '/world/rss.xml?page=1',
  '/world/rss.xml?',
  '/world/rss.xml?limit=3&page=2',
  '/world/rss.xml?page=02',
  '/world/rss.xml?page=99',
  '/world/rss.xml?limit=9999',
  '/world/rss.xml?page=x',
  '/world/rss.xml#top',
  '/World/rss.xml',
  '/nowhere/rss.xml',
  '/world//rss.xml',
  '/world/./rss.xml',
  '/world/rss.xml/',
  '/rss.xml?page=9',
  '/feeds.opml',
  '/status',
  '/tags/storms/rss.xml?limit=3&page=2',
  '/tags/Storms/rss.xml',
  '/tags/nothing/rss.xml',
  '/tags/storms/',
  '/tags/',
  '/categories/storms/rss.xml',
];

/** Header sets for a document whose variants carry these tags and this Last-Modified. */
function headerSets(etags: Record<'identity' | 'gzip' | 'br', string>, lastModified: string): Fields[] {
  const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
  const sets: Fields[] = [
    {},
    { 'accept-encoding': 'gzip' },
    { 'accept-encoding': 'br' },
    { 'accept-encoding': 'gzip, deflate, br' },
    { 'accept-encoding': 'br;q=0.5, gzip;q=0.8' },
    { 'accept-encoding': 'gzip;q=0.1, br;q=0.1, identity;q=1' },
    { 'accept-encoding': 'identity' },
    { 'accept-encoding': 'gzip;q=0' },
    { 'accept-encoding': '*' },
    { 'accept-encoding': 'deflate' },
    { 'accept-encoding': '' },
    { 'accept-encoding': ['gzip;q=0.5', 'br'] },
    { 'if-none-match': etags.identity },
    { 'if-none-match': etags.gzip },
    { 'if-none-match': etags.br, 'accept-encoding': 'br' },
    { 'if-none-match': etags.gzip, 'accept-encoding': 'gzip' },
    { 'if-none-match': `W/${etags.identity}` },
    { 'if-none-match': `"other", ${etags.gzip}` },
    { 'if-none-match': '"other"' },
    { 'if-none-match': '*' },
    { 'if-none-match': etags.identity.slice(1, -1) },
    { 'if-none-match': `${etags.identity}, broken` },
    { 'if-none-match': ['"other"', etags.identity] },
    { 'if-modified-since': lastModified },
    { 'if-modified-since': earlier },
    { 'if-modified-since': 'Thu, 01 Jan 2099 00:00:00 GMT' },
    { 'if-modified-since': 'yesterday' },
    { 'if-modified-since': [lastModified, lastModified] },
    { 'if-modified-since': lastModified, 'if-none-match': '"other"' },
    { 'if-modified-since': lastModified, 'accept-encoding': 'br' },
    { 'sec-fetch-dest': 'document' },
    { 'sec-fetch-dest': 'document', 'accept-encoding': 'gzip, br' },
    { 'sec-fetch-dest': 'document', 'if-none-match': etags.identity },
    { 'sec-fetch-dest': 'empty' },
    { 'sec-fetch-dest': ['document', 'document'] },
  ];
  return sets;
}

describe('the Node fast path for cached feeds', () => {
  it('answers every feed request exactly as the app does, and without the app once the answer is prepared', async () => {
    let answeredFast = 0;
    for (const path of FEED_URLS) {
      const first = await send(plain.port, 'GET', path, { 'accept-encoding': 'identity' });
      expect(first.status, path).toBe(200);
      const header = (answer: Answer, name: string) => answer.headers.find(([n]) => n === name)?.[1] ?? '';
      const etags = {
        identity: header(first, 'etag'),
        gzip: header(await send(plain.port, 'GET', path, { 'accept-encoding': 'gzip' }), 'etag'),
        br: header(await send(plain.port, 'GET', path, { 'accept-encoding': 'br' }), 'etag'),
      };
      expect(new Set(Object.values(etags)).size, path).toBe(3);
      for (const headers of headerSets(etags, header(first, 'last-modified'))) {
        for (const method of ['GET', 'HEAD']) {
          const { status, fast: wasFast } = await expectSame(method, path, headers);
          expect([200, 304], `${method} ${path} ${JSON.stringify(headers)}`).toContain(status);
          // The plain server just answered it: document, encoding choice and variant are all at hand.
          expect(wasFast, `${method} ${path} ${JSON.stringify(headers)} answered by the app`).toBe(true);
          answeredFast += 1;
        }
      }
    }
    expect(answeredFast).toBeGreaterThan(500);
  });

  it('leaves everything else to the app, which answers as it would without the fast path', async () => {
    for (const path of OTHER_URLS) {
      for (const headers of [{}, { 'accept-encoding': 'gzip' }, { 'if-none-match': '*' }] as Fields[]) {
        for (const method of ['GET', 'HEAD', 'POST', 'OPTIONS']) {
          const { fast: wasFast } = await expectSame(method, path, headers);
          expect(wasFast, `${method} ${path}`).toBe(false);
        }
      }
    }
  });

  it('answers as the app does whatever the Host header, leaving the unusual ones to the app', async () => {
    // 1.2.3.999 passes the adapter but not the URL parser: the app must not need the parser.
    for (const host of ['localhost', 'feeds.test:8080', 'feeds.test:60123', 'FEEDS.test', '[::1]:3000', '999', '1.2.3.999', 'a b', 'x@y', 'feeds.test:99999']) {
      for (const path of ['/world/rss.xml', '/world/rss.xml?page=2', '/world/rss.xml?page=1']) {
        for (const headers of [{ host }, { host, 'if-none-match': '*' }] as Fields[]) {
          const { status } = await expectSame('GET', path, headers);
          expect(status, `${host} ${path}`).not.toBe(500);
        }
      }
    }
  });

  it('never answers from a document the store has moved past: a scheduled article coming due, a new one', async () => {
    const path = '/world/rss.xml';
    const old = await expectSame('GET', path);
    expect(old.fast).toBe(true);
    const { expected: before } = await both('GET', path);
    expect(before.body.toString()).not.toContain('Embargoed story');
    const etag = before.headers.find(([name]) => name === 'etag')![1];

    clock.now = DUE + 1000;
    // The fast server asks first here: its look-up promotes the article, so the app renders.
    const due = await send(fast.port, 'GET', path, { 'if-none-match': etag });
    expect(due.status).toBe(200);
    expect(due.body.toString()).toContain('Embargoed story');
    expect((await expectSame('GET', path, { 'if-none-match': etag })).status).toBe(200);

    store.put(txt('World', 'fresh', 150));
    const { actual, passedOn: viaApp } = await both('GET', path, { 'if-none-match': due.headers.find(([name]) => name === 'etag')![1] });
    expect(actual.status).toBe(200);
    expect(actual.body.toString()).toContain('fresh headline');
    expect(viaApp).toBe(0);
    const newer = await expectSame('GET', path, { 'accept-encoding': 'gzip' });
    expect(newer.fast).toBe(true);
  });
});

describe('startWirefeed', () => {
  it('puts the fast path in front of the app by default, and leaves it out on request', async () => {
    const temp = await makeTempDir();
    await temp.write('one.txt', txtArticle('World', 'One'));
    try {
      for (const fastPath of [true, false]) {
        const wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1' }, { log: () => {}, fastPath });
        try {
          let calls = 0;
          const appFetch = wirefeed.app.fetch;
          wirefeed.app.fetch = (...args) => {
            calls += 1;
            return appFetch(...args);
          };
          const first = await send(wirefeed.port, 'GET', '/world/rss.xml');
          const etag = first.headers.find(([name]) => name === 'etag')![1];
          const again = await send(wirefeed.port, 'GET', '/world/rss.xml', { 'if-none-match': etag });
          expect([first.status, again.status]).toEqual([200, 304]);
          expect(calls).toBe(fastPath ? 1 : 2);
        } finally {
          await wirefeed.close();
        }
      }
    } finally {
      await temp.remove();
    }
  });
});
