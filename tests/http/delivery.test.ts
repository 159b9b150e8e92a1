// Subscriber-grade delivery through app.request: compression, conditional GET per variant,
// paging (RFC 5005), the byte budget, render-once caching, WebSub links, OPML, scheduling.
import { parseFeed, parseOpml } from 'feedsmith';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createApp, type AppOptions } from '../../src/http/app.ts';
import { NODE_ENCODERS } from '../../src/node/server/encoders.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import type { FeedStore } from '../../src/store/types.ts';
import { SITE, makeParsed, txt } from '../helpers/articles.ts';
import { readFeed } from './suite.ts';

function setup(options: Partial<AppOptions> = {}, clock = { now: Date.parse('2025-06-01T00:00:00Z') }) {
  const store = createMemoryStore({ now: () => new Date(clock.now) });
  const lists: string[] = [];
  // Counts the store reads behind each render, to prove requests between changes render nothing.
  const counting: FeedStore = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'list') return (opts: { section?: string }) => (lists.push(opts.section ?? '*'), target.list(opts as never));
      return Reflect.get(target, key, receiver);
    },
  });
  const app = createApp({ store: counting, site: SITE, feedLimit: 50, encoders: NODE_ENCODERS, now: () => clock.now, ...options });
  return { app, store, lists, clock };
}

const get = (app: ReturnType<typeof createApp>, path: string, headers: Record<string, string> = {}) => app.request(path, { headers });

describe('compression', () => {
  it('serves gzip and brotli variants that decode to the same bytes, each with its own ETag', async () => {
    const { app, store } = setup();
    for (let i = 0; i < 20; i++) store.put(txt('World', `story-${i}`, i, 'Words '.repeat(200)));
    const plain = await get(app, '/world/rss.xml');
    const identity = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get('content-encoding')).toBeNull();

    const gz = await get(app, '/world/rss.xml', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer()))).toEqual(identity);

    const br = await get(app, '/world/rss.xml', { 'Accept-Encoding': 'gzip, br;q=1.0, identity;q=0.1' });
    expect(br.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    const brOnly = await get(app, '/world/rss.xml', { 'Accept-Encoding': 'br' });
    expect(brOnly.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await brOnly.arrayBuffer());
    expect(brotliDecompressSync(brBytes)).toEqual(identity);
    expect(brBytes.byteLength).toBeLessThan(identity.byteLength / 3);

    const etags = new Set([plain, gz, brOnly].map((r) => r.headers.get('etag')));
    expect(etags.size).toBe(3);
    for (const response of [plain, gz, brOnly]) expect(response.headers.get('vary')).toBe('Accept-Encoding, Sec-Fetch-Dest');

    const refused = await get(app, '/world/rss.xml', { 'Accept-Encoding': 'gzip;q=0' });
    expect(refused.headers.get('content-encoding')).toBeNull();
  });

  it('answers 304 to the ETag of any variant, since they hold the same document', async () => {
    const { app, store } = setup();
    store.put(txt('World', 'one', 1));
    const gz = await get(app, '/world/atom.xml', { 'Accept-Encoding': 'gzip' });
    const etag = gz.headers.get('etag')!;
    const again = await get(app, '/world/atom.xml', { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).not.toBe(etag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=300');
  });
});

describe('render once per change', () => {
  it('serves repeated requests from cached bytes and re-renders only the changed section', async () => {
    const { app, store, lists } = setup();
    store.put(txt('World', 'w1', 1));
    store.put(txt('Sports', 's1', 1));
    for (const path of ['/world/rss.xml', '/sports/rss.xml', '/rss.xml']) await get(app, path);
    const worldBefore = await get(app, '/world/rss.xml');
    const sportsBefore = await get(app, '/sports/rss.xml');
    lists.length = 0;
    for (let i = 0; i < 5; i++) for (const path of ['/world/rss.xml', '/sports/rss.xml', '/rss.xml']) await get(app, path);
    expect(lists).toEqual([]);

    store.put(txt('World', 'w2', 2));
    for (const path of ['/world/rss.xml', '/sports/rss.xml', '/rss.xml']) await get(app, path);
    expect(lists.sort()).toEqual(['*', 'world']);
    expect((await get(app, '/sports/rss.xml')).headers.get('last-modified')).toBe(sportsBefore.headers.get('last-modified'));
    expect((await get(app, '/world/rss.xml')).headers.get('etag')).not.toBe(worldBefore.headers.get('etag'));
  });

  it('sends Cache-Control with the configured max-age and CORS on feeds', async () => {
    const { app, store } = setup({ maxAge: 60 });
    store.put(txt('World', 'w1', 1));
    const response = await get(app, '/world/feed.json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('paging (RFC 5005 §3)', () => {
  it('reaches every article of a section exactly once by following next links, in every format', async () => {
    const { app, store } = setup();
    for (let i = 0; i < 123; i++) store.put(txt('World', `story-${String(i).padStart(3, '0')}`, i));
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      const seen: string[] = [];
      let url: string | undefined = `${SITE.baseUrl}/world/${file}`;
      let pages = 0;
      while (url) {
        const response = await get(app, url.slice(SITE.baseUrl.length));
        expect(response.status, url).toBe(200);
        const body = await response.text();
        seen.push(...(readFeed(body).ids as string[]));
        url = nextLink(body);
        pages += 1;
      }
      expect(pages, file).toBe(3);
      expect(seen).toHaveLength(123);
      expect(new Set(seen).size).toBe(123);
    }
  });

  it('links first, last and previous, carries an explicit limit, and redirects non-canonical queries', async () => {
    const { app, store } = setup();
    for (let i = 0; i < 30; i++) store.put(txt('World', `s${i}`, i));
    const body = await (await get(app, '/world/atom.xml?page=2&limit=10')).text();
    const { feed } = parseFeed(body) as { feed: any };
    const rel = (name: string) => feed.links.find((l: any) => l.rel === name)?.href;
    expect(rel('self')).toBe(`${SITE.baseUrl}/world/atom.xml?page=2&limit=10`);
    expect(rel('first')).toBe(`${SITE.baseUrl}/world/atom.xml?limit=10`);
    expect(rel('previous')).toBe(`${SITE.baseUrl}/world/atom.xml?limit=10`);
    expect(rel('next')).toBe(`${SITE.baseUrl}/world/atom.xml?page=3&limit=10`);
    expect(rel('last')).toBe(`${SITE.baseUrl}/world/atom.xml?page=3&limit=10`);

    const redirect = await get(app, '/world/atom.xml?limit=10&page=2');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/world/atom.xml?page=2&limit=10');
    expect((await get(app, '/world/atom.xml?page=1')).headers.get('location')).toBe('/world/atom.xml');
    expect((await get(app, '/world/atom.xml?page=4&limit=10')).status).toBe(404);
  });

  it.each(['page=0', 'page=-1', 'page=abc', 'page=1.5', 'limit=0', 'limit=501', 'limit=-3', 'limit=99999999999', 'page=%00'])(
    'answers ?%s with a short 400',
    async (query) => {
      const { app, store } = setup();
      store.put(txt('World', 'one', 1));
      const response = await get(app, `/world/rss.xml?${query}`);
      expect(response.status).toBe(400);
      expect((await response.text()).length).toBeLessThan(80);
    },
  );
});

describe('the byte budget', () => {
  it('drops to summaries when full content would exceed it, keeping every item', async () => {
    const { app, store } = setup({ maxFeedBytes: 64 * 1024 });
    for (let i = 0; i < 40; i++) store.put(txt('World', `long-${i}`, i, 'A long paragraph of words. '.repeat(200)));
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) {
      const response = await get(app, `/world/${file}`);
      const bytes = Number(response.headers.get('content-length'));
      const body = await response.text();
      expect(bytes, file).toBeLessThanOrEqual(64 * 1024);
      expect(readFeed(body).ids, file).toHaveLength(40);
      expect(body).not.toContain('content:encoded');
      expect(body).not.toContain('"content_html"');
    }
    const roomy = setup();
    roomy.store.put(txt('World', 'short', 1));
    expect(await (await get(roomy.app, '/world/rss.xml')).text()).toContain('content:encoded');
  });
});

describe('WebSub', () => {
  it('advertises the hubs and the self link in each format and in Link headers', async () => {
    const hubs = ['https://hub.example/', 'https://other.example/hub?x=1&y=2'];
    const { app, store } = setup({ hubs });
    store.put(txt('World', 'one', 1));
    const response = await get(app, '/world/rss.xml');
    expect(response.headers.get('link')).toBe(
      `<https://hub.example/>; rel="hub", <https://other.example/hub?x=1&y=2>; rel="hub", <${SITE.baseUrl}/world/rss.xml>; rel="self"`,
    );
    const rss = parseFeed(await response.text()) as { feed: any };
    expect(rss.feed.atom.links.filter((l: any) => l.rel === 'hub').map((l: any) => l.href)).toEqual(hubs);
    const json = JSON.parse(await (await get(app, '/world/feed.json')).text());
    expect(json.hubs).toEqual(hubs.map((url) => ({ type: 'WebSub', url })));
    const atom = parseFeed(await (await get(app, '/atom.xml')).text()) as { feed: any };
    expect(atom.feed.links.filter((l: any) => l.rel === 'hub').map((l: any) => l.href)).toEqual(hubs);
  });
});

describe('OPML', () => {
  it('lists every section once in a Sections group, with absolute URLs, and the combined feed alone in all.opml', async () => {
    const { app, store } = setup();
    store.put(txt('World', 'w', 1));
    store.put(txt('C++ & <Tech>', 't', 2));
    const response = await get(app, '/feeds.opml');
    expect(response.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const opml = parseOpml(await response.text()) as any;
    expect(opml.body.outlines.map((o: any) => [o.text, o.xmlUrl])).toEqual([['Sections', undefined]]);
    expect(opml.body.outlines[0].outlines.map((o: any) => [o.text, o.xmlUrl, o.htmlUrl])).toEqual([
      ['C++ & <Tech>', `${SITE.baseUrl}/c-and-tech/rss.xml`, `${SITE.baseUrl}/c-and-tech/`],
      ['World', `${SITE.baseUrl}/world/rss.xml`, `${SITE.baseUrl}/world/`],
    ]);
    const all = parseOpml(await (await get(app, '/all.opml')).text()) as any;
    expect(all.body.outlines.map((o: any) => [o.text, o.xmlUrl, o.htmlUrl])).toEqual([
      ['Test Site (all sections)', `${SITE.baseUrl}/rss.xml`, `${SITE.baseUrl}/`],
    ]);
  });

  it('lists tag and author feeds in groups of their own files', async () => {
    const { app, store } = setup();
    store.put(txt('World', 'w', 1, 'Body.\n\nTags: Storms & Floods, Heat'));
    const tags = parseOpml(await (await get(app, '/tags.opml')).text()) as any;
    expect(tags.body.outlines[0].text).toBe('Tags');
    expect(tags.body.outlines[0].outlines.map((o: any) => [o.text, o.xmlUrl])).toEqual([
      ['Heat', `${SITE.baseUrl}/tags/heat/rss.xml`],
      ['Storms & Floods', `${SITE.baseUrl}/tags/storms-and-floods/rss.xml`],
    ]);
    // No authors yet: an empty list, still a valid document.
    const authors = parseOpml(await (await get(app, '/authors.opml')).text()) as any;
    expect(authors.body?.outlines ?? []).toEqual([]);
  });
});

describe('scheduled publishing', () => {
  it('shows an article dated in the future only once its time has come, with no new put', async () => {
    const { app, store, clock } = setup();
    store.put(txt('World', 'now', 1));
    const due = Date.parse('2025-06-02T09:00:00Z');
    store.put(makeParsed('later.md', '---\ntitle: Embargoed story\nsection: World\ndate: 2025-06-02T09:00:00Z\n---\nBody.'));
    const before = await (await get(app, '/world/rss.xml')).text();
    expect(before).not.toContain('Embargoed story');
    expect((await get(app, '/world/later')).status).toBe(404);
    expect(((await (await get(app, '/status')).json()) as any).scheduled).toBe(1);

    clock.now = due + 1000;
    expect(await (await get(app, '/world/rss.xml')).text()).toContain('Embargoed story');
    expect((await get(app, '/world/later')).status).toBe(200);
  });
});

describe('the status page for people', () => {
  it('shows counts, escaped rejections and a 30-day chart to browsers, JSON to everyone else', async () => {
    const { app, store, clock } = setup();
    clock.now = Date.parse('2025-01-20T12:00:00Z');
    for (let i = 0; i < 5; i++) store.put(txt('World', `w${i}`, 10 + (i % 2)));
    store.reject('bad <script>.txt', 'empty file');
    const html = await (await get(app, '/status', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })).text();
    expect(html).toContain('<svg role="img" aria-label="5 articles published in the last 30 days"');
    expect(html.match(/<rect /g)).toHaveLength(30);
    expect(html).toContain('<title>2025-01-11: 3</title>');
    expect(html).toContain('bad &lt;script&gt;.txt');
    expect(html).not.toContain('<script>');
    const json = await get(app, '/status', { Accept: '*/*' });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

/** The next-page link of a feed in any format. */
function nextLink(body: string): string | undefined {
  const { format, feed } = parseFeed(body) as { format: string; feed: any };
  if (format === 'json') return feed.next_url;
  const links = format === 'atom' ? feed.links : feed.atom?.links;
  return links?.find((l: any) => l.rel === 'next')?.href;
}
