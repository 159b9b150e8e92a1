// One set of HTTP cases, run through `app.request` and through a real server on an
// ephemeral port (tests/app.test.ts and tests/node/server.test.ts).
import { parseFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { utimes } from 'node:fs/promises';
import { makeTempDir, txtArticle } from '../helpers/temp-dir.ts';

/** One article file of the shared fixture, with the modification time that dates it. */
export interface FixtureFile {
  path: string;
  content: string;
  mtime: Date;
}

/** A running wirefeed the suite talks to: the Node app, the Node server or the Worker. */
export interface Target {
  baseUrl: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Whether files that fail to parse are listed on /status (Node) or refused at upload (Worker: 422). */
  listsRejectedFiles: boolean;
  close(): Promise<void>;
}

/** Builds a target serving `files` with `SITE_TITLE` set to `siteTitle`. */
export type MakeTarget = (files: FixtureFile[], siteTitle: string) => Promise<Target>;

const DAY = 86_400_000;
const START = Date.parse('2025-03-10T08:00:00Z');

/** The files every target serves; dated a day apart so the order is fixed. */
export const FIXTURE_FILES: FixtureFile[] = [
  ['talks.txt', txtArticle('Politics', 'Talks continue', 'First paragraph.', 'Second.')],
  ['vote.txt', txtArticle('politics', 'Vote <counted> & "certified"', 'It was counted.')],
  ['match.txt', txtArticle('Sports', 'Home side wins', 'A report.')],
  ['status.txt', txtArticle('Status', 'A section called Status', 'Body.')],
  ['broken.txt', ''],
].map(([path, content], i) => ({ path: path!, content: content!, mtime: new Date(START + i * DAY) }));

export const FIXTURE_TITLE = 'Test <Site>';

/** A Node target over a temporary folder holding `files`, answering through `via`. */
export async function makeNodeTarget(
  files: FixtureFile[],
  siteTitle: string,
  via: 'app' | 'server',
  env: Record<string, string> = {},
): Promise<Target> {
  const temp = await makeTempDir();
  for (const file of files) {
    const written = await temp.write(file.path, file.content);
    await utimes(written, file.mtime, file.mtime);
  }
  const wirefeed: Wirefeed = await startWirefeed(
    { ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', SITE_TITLE: siteTitle, ...env },
    { log: () => {} },
  );
  return {
    baseUrl: wirefeed.config.site.baseUrl,
    listsRejectedFiles: true,
    request: (path, init) =>
      via === 'app' ? Promise.resolve(wirefeed.app.request(path, init)) : fetch(`http://127.0.0.1:${wirefeed.port}${path}`, init),
    async close() {
      await wirefeed.close();
      await temp.remove();
    },
  };
}

const FEEDS = [
  ['rss.xml', 'application/rss+xml; charset=utf-8'],
  ['atom.xml', 'application/atom+xml; charset=utf-8'],
  ['feed.json', 'application/feed+json; charset=utf-8'],
] as const;

/** Ids, links and self link of a served feed, whatever its format. */
export function readFeed(body: string) {
  const { format, feed } = parseFeed(body) as { format: string; feed: any };
  if (format === 'json') {
    return { self: feed.feed_url, ids: feed.items.map((i: any) => i.id), links: feed.items.map((i: any) => i.url) };
  }
  if (format === 'atom') {
    return {
      self: feed.links.find((l: any) => l.rel === 'self')?.href,
      ids: feed.entries.map((e: any) => e.id),
      links: feed.entries.map((e: any) => e.links.find((l: any) => (l.rel ?? 'alternate') === 'alternate')?.href),
    };
  }
  return {
    self: feed.atom?.links?.find((l: any) => l.rel === 'self')?.href,
    ids: feed.items.map((i: any) => i.guid?.value),
    links: feed.items.map((i: any) => i.link),
  };
}

/** The HTTP cases every target must pass, over FIXTURE_FILES. */
export function runHttpSuite(name: string, makeTarget: MakeTarget) {
  describe(name, () => {
    let target: Target;
    const get = (path: string, init?: RequestInit) => target.request(path, init);

    // Starting workerd with a local D1 takes seconds, more on a loaded machine.
    beforeAll(async () => {
      target = await makeTarget(FIXTURE_FILES, FIXTURE_TITLE);
    }, 90_000);

    afterAll(async () => {
      await target?.close();
    });

    it('serves every feed with its content type, validators and an exact self link', async () => {
      for (const section of ['', 'politics/', 'sports/']) {
        for (const [file, type] of FEEDS) {
          const response = await get(`/${section}${file}`);
          expect(response.status, `/${section}${file}`).toBe(200);
          expect(response.headers.get('content-type')).toBe(type);
          expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+(-gzip|-br)?"$/);
          expect(new Date(response.headers.get('last-modified')!).getTime()).not.toBeNaN();
          expect(response.headers.get('cache-control')).toBe('public, max-age=300');
          const feed = readFeed(await response.text());
          expect(feed.self).toBe(`${target.baseUrl}/${section}${file}`);
        }
      }
    });

    it('puts the same ids and links in all three formats, and every link resolves to a page', async () => {
      const feeds = await Promise.all(FEEDS.map(async ([file]) => readFeed(await (await get(`/${file}`)).text())));
      expect(feeds[0]!.ids).toHaveLength(4);
      expect(feeds[1]!.ids).toEqual(feeds[0]!.ids);
      expect(feeds[2]!.ids).toEqual(feeds[0]!.ids);
      expect(feeds[1]!.links).toEqual(feeds[0]!.links);
      expect(feeds[2]!.links).toEqual(feeds[0]!.links);
      for (const link of feeds[0]!.links as string[]) {
        const page = await get(new URL(link).pathname);
        expect(page.status, link).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      }
      const section = readFeed(await (await get('/politics/atom.xml')).text());
      expect(section.ids).toHaveLength(2);
      expect(feeds[0]!.ids).toEqual(expect.arrayContaining(section.ids));
    });

    it('answers If-None-Match and If-Modified-Since with an empty 304 that repeats the headers', async () => {
      const first = await get('/politics/rss.xml');
      const etag = first.headers.get('etag')!;
      const lastModified = first.headers.get('last-modified')!;
      for (const headers of [{ 'If-None-Match': etag }, { 'If-None-Match': `W/${etag}` }, { 'If-Modified-Since': lastModified }] as Record<string, string>[]) {
        const response = await get('/politics/rss.xml', { headers });
        expect(response.status, JSON.stringify(headers)).toBe(304);
        expect(await response.text()).toBe('');
        expect(response.headers.get('etag')).toBe(etag);
        expect(response.headers.get('cache-control')).toBe('public, max-age=300');
        expect(response.headers.get('vary')).toBe('Accept-Encoding, Sec-Fetch-Dest');
      }
      const mismatch = await get('/politics/rss.xml', { headers: { 'If-None-Match': '"nope"', 'If-Modified-Since': lastModified } });
      expect(mismatch.status).toBe(200);
      const old = await get('/politics/rss.xml', { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1998 00:00:00 GMT' } });
      expect(old.status).toBe(200);
      const garbage = await get('/politics/rss.xml', { headers: { 'If-Modified-Since': 'not a date' } });
      expect(garbage.status).toBe(200);
    });

    it('answers HEAD like GET without a body', async () => {
      const head = await get('/atom.xml', { method: 'HEAD' });
      const full = await get('/atom.xml');
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(full.headers.get('content-type'));
      expect(head.headers.get('etag')).toBe(full.headers.get('etag'));
      expect(await head.text()).toBe('');
    });

    it('answers unknown sections and articles with a short 404', async () => {
      for (const path of ['/nowhere/rss.xml', '/nowhere/', '/politics/no-such-article', '/a/b/c']) {
        const response = await get(path);
        expect(response.status, path).toBe(404);
        const text = await response.text();
        expect(text.length).toBeLessThan(200);
        expect(text).not.toMatch(/at .*\.ts|Error:/);
      }
    });

    it('keeps fixed routes ahead of a section named like one', async () => {
      const status = await get('/status');
      expect(status.headers.get('content-type')).toMatch(/^application\/json/);
      const page = await get('/status/');
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('A section called Status');
    });

    it('reports articles, sections and rejected files on /status', async () => {
      const body = (await (await get('/status')).json()) as any;
      expect(body.articles).toBe(4);
      expect(body.sections).toEqual([
        { slug: 'politics', name: 'Politics', articles: 2 },
        { slug: 'sports', name: 'Sports', articles: 1 },
        { slug: 'status', name: 'Status', articles: 1 },
      ]);
      expect(body.rejected).toEqual(target.listsRejectedFiles ? [{ path: 'broken.txt', reason: expect.stringMatching(/empty/) }] : []);
      expect(new Date(body.updatedAt).getTime()).not.toBeNaN();
      expect((await get('/healthz')).status).toBe(200);
    });

    it('shows the home page with counts, feed links and discovery links, escaping what it shows', async () => {
      const response = await get('/');
      const html = await response.text();
      const base = target.baseUrl;
      expect(html).toContain('Test &lt;Site&gt;');
      expect(html).not.toContain('Test <Site>');
      expect(html).toContain(`<link rel="alternate" type="application/rss+xml" title="Test &lt;Site&gt; (RSS)" href="${base}/rss.xml">`);
      expect(html).toContain(`<link rel="alternate" type="application/atom+xml" title="Test &lt;Site&gt; (Atom)" href="${base}/atom.xml">`);
      expect(html).toContain(`<link rel="alternate" type="application/feed+json" title="Test &lt;Site&gt; (JSON Feed)" href="${base}/feed.json">`);
      expect(html).toMatch(/Politics<\/a><\/td><td>2<\/td>/);
      expect(html).toContain(`href="${base}/sports/rss.xml"`);
    });

    it('escapes titles on section and article pages and links the section feeds', async () => {
      const section = await (await get('/politics/')).text();
      expect(section).toContain('Vote &lt;counted&gt; &amp; &quot;certified&quot;');
      expect(section).not.toContain('<counted>');
      expect(section).toContain(`href="${target.baseUrl}/politics/atom.xml"`);
      const links = readFeed(await (await get('/politics/feed.json')).text()).links as string[];
      const article = await (await get(new URL(links.find((l) => l.includes('vote'))!).pathname)).text();
      expect(article).toContain('<h1>Vote &lt;counted&gt; &amp; &quot;certified&quot;</h1>');
      expect(article).toContain('<p>It was counted.</p>');
    });

    it('redirects a section without its trailing slash', async () => {
      const response = await get('/politics', { redirect: 'manual' });
      expect(response.status).toBe(301);
      expect(response.headers.get('location')).toBe('/politics/');
    });
  });
}
