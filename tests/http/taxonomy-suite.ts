// HTTP cases for tag and author feeds and pages, run through `app.request`, a real Node server
// and the Worker over D1 (tests/app.test.ts, tests/node/server.test.ts, tests/workerd/entry.test.ts).
import { parseFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { txtArticle } from '../helpers/temp-dir.ts';
import { readFeed, type FixtureFile, type MakeTarget, type Target } from './suite.ts';

const DAY = 86_400_000;
const START = Date.parse('2025-04-01T08:00:00Z');

const markdown = (title: string, section: string, date: string, tags: string[], authors: string[]) =>
  [
    '---',
    `title: ${JSON.stringify(title)}`,
    `section: ${JSON.stringify(section)}`,
    `date: ${date}`,
    `tags: ${JSON.stringify(tags)}`,
    `author: ${JSON.stringify(authors)}`,
    '---',
    '',
    `The body of ${title}.`,
    '',
  ].join('\n');

/** Three tagged articles in two sections, and a section called Tags whose page URL the tag listing keeps. */
export const TAXONOMY_FILES: FixtureFile[] = [
  ['heat.md', markdown('Heat <record> & more', 'Science', '2025-03-01', ['Climate', 'Energy & Power'], ['Ada Lovelace'])],
  ['grid.md', markdown('Grid upgrade', 'Politics', '2025-03-02', ['energy & power'], ['Bob Smith', 'Ada Lovelace'])],
  ['ice.md', markdown('Ice melts', 'Science', '2025-03-03', [' climate '], ['Bob Smith'])],
  ['tagged.txt', txtArticle('Tags', 'A section called Tags', 'Body.')],
].map(([path, content], i) => ({ path: path!, content: content!, mtime: new Date(START + i * DAY) }));

export const TAXONOMY_TITLE = 'Tax <Site>';

const FEEDS = [
  ['rss.xml', 'application/rss+xml; charset=utf-8'],
  ['atom.xml', 'application/atom+xml; charset=utf-8'],
  ['feed.json', 'application/feed+json; charset=utf-8'],
] as const;

/** The cases every target must pass over TAXONOMY_FILES. */
export function runTaxonomySuite(name: string, makeTarget: MakeTarget) {
  describe(name, () => {
    let target: Target;
    const get = (path: string, init?: RequestInit) => target.request(path, init);
    const titlesOf = async (path: string) => {
      const { feed } = parseFeed(await (await get(path)).text()) as { feed: any };
      return (feed.items ?? feed.entries).map((item: any) => (typeof item.title === 'string' ? item.title : item.title?.value ?? item.title));
    };

    beforeAll(async () => {
      target = await makeTarget(TAXONOMY_FILES, TAXONOMY_TITLE);
    }, 90_000);

    afterAll(async () => {
      await target?.close();
    });

    it('serves tag and author feeds in every format, holding only their articles, newest first', async () => {
      for (const [path, count] of [['tags/climate/', 2], ['tags/energy-and-power/', 2], ['authors/ada-lovelace/', 2], ['authors/bob-smith/', 2]] as const) {
        const feeds = [];
        for (const [file, type] of FEEDS) {
          const response = await get(`/${path}${file}`);
          expect(response.status, `/${path}${file}`).toBe(200);
          expect(response.headers.get('content-type')).toBe(type);
          expect(response.headers.get('etag')).toMatch(/^"[0-9a-f]+(-gzip|-br)?"$/);
          expect(new Date(response.headers.get('last-modified')!).getTime()).not.toBeNaN();
          const feed = readFeed(await response.text());
          expect(feed.self).toBe(`${target.baseUrl}/${path}${file}`);
          expect(feed.ids).toHaveLength(count);
          feeds.push(feed);
        }
        expect(feeds[1]!.ids).toEqual(feeds[0]!.ids);
        expect(feeds[2]!.links).toEqual(feeds[0]!.links);
      }
      expect(await titlesOf('/tags/climate/rss.xml')).toEqual(['Ice melts', 'Heat <record> & more']);
      expect(await titlesOf('/authors/ada-lovelace/atom.xml')).toEqual(['Grid upgrade', 'Heat <record> & more']);
      const { feed } = parseFeed(await (await get('/tags/energy-and-power/feed.json')).text()) as { feed: any };
      expect(feed.title).toBe('Tax <Site> — tag: Energy & Power');
      expect(feed.home_page_url).toBe(`${target.baseUrl}/tags/energy-and-power/`);
    });

    it('pages tag feeds with RFC 5005 links and redirects other spellings of a query to the canonical one', async () => {
      const first = parseFeed(await (await get('/tags/climate/atom.xml?limit=1')).text()) as { feed: any };
      const rel = (feed: any, name: string) => feed.links.find((link: any) => link.rel === name)?.href;
      expect(rel(first.feed, 'next')).toBe(`${target.baseUrl}/tags/climate/atom.xml?page=2&limit=1`);
      expect(rel(first.feed, 'last')).toBe(`${target.baseUrl}/tags/climate/atom.xml?page=2&limit=1`);
      const second = parseFeed(await (await get('/tags/climate/atom.xml?page=2&limit=1')).text()) as { feed: any };
      expect(rel(second.feed, 'previous')).toBe(`${target.baseUrl}/tags/climate/atom.xml?limit=1`);
      expect(second.feed.entries.map((entry: any) => entry.title?.value ?? entry.title)).toEqual(['Heat <record> & more']);
      const swapped = await get('/authors/bob-smith/rss.xml?limit=1&page=2', { redirect: 'manual' });
      expect(swapped.status).toBe(301);
      expect(swapped.headers.get('location')).toBe('/authors/bob-smith/rss.xml?page=2&limit=1');
      expect((await get('/tags/climate/rss.xml?page=3&limit=1')).status).toBe(404);
      expect((await get('/tags/climate/rss.xml?limit=0')).status).toBe(400);
    });

    it('answers conditional requests for tag feeds with an empty 304', async () => {
      const first = await get('/tags/climate/rss.xml');
      for (const headers of [{ 'If-None-Match': first.headers.get('etag')! }, { 'If-Modified-Since': first.headers.get('last-modified')! }] as Record<string, string>[]) {
        const response = await get('/tags/climate/rss.xml', { headers });
        expect(response.status).toBe(304);
        expect(await response.text()).toBe('');
      }
    });

    it('lists tags and authors, and shows each with its articles and discovery links, escaped', async () => {
      const base = target.baseUrl;
      const tags = await (await get('/tags/')).text();
      expect(tags).toContain(`<a href="${base}/tags/climate/">Climate</a></td><td>2</td>`);
      expect(tags).toContain('Energy &amp; Power');
      // A section called Tags keeps its feeds and articles; its page's URL shows this listing, which links them.
      expect(tags).toContain(`href="${base}/tags/rss.xml"`);
      const authors = await (await get('/authors/')).text();
      expect(authors).toContain(`<a href="${base}/authors/bob-smith/">Bob Smith</a></td><td>2</td>`);
      const page = await (await get('/tags/climate/')).text();
      expect(page).toContain(`<link rel="alternate" type="application/atom+xml" title="Tax &lt;Site&gt; — tag: Climate (Atom)" href="${base}/tags/climate/atom.xml">`);
      expect(page).toContain('Heat &lt;record&gt; &amp; more');
      expect(page).not.toContain('<record>');
      const home = await (await get('/')).text();
      expect(home).toContain(`href="${base}/tags/climate/"`);
      expect(home).toContain(`href="${base}/authors/ada-lovelace/"`);
    });

    it('links an article to its tags and authors, and those links resolve', async () => {
      const links = readFeed(await (await get('/tags/energy-and-power/feed.json')).text()).links as string[];
      const article = await (await get(new URL(links[0]!).pathname)).text();
      const hrefs = [...article.matchAll(/<a rel="(?:tag|author)" href="([^"]+)">/g)].map((match) => match[1]!);
      expect(hrefs).toEqual([`${target.baseUrl}/authors/bob-smith/`, `${target.baseUrl}/authors/ada-lovelace/`, `${target.baseUrl}/tags/energy-and-power/`]);
      for (const href of hrefs) expect((await get(new URL(href).pathname)).status, href).toBe(200);
    });

    it('answers unknown tags with a 404, a tag without its slash with a redirect, and keeps a section called tags', async () => {
      for (const path of ['/tags/nothing/rss.xml', '/tags/nothing/', '/authors/nobody/feed.json', '/tags/climate/?page=2']) {
        expect((await get(path)).status, path).toBe(404);
      }
      const redirect = await get('/tags/climate', { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('/tags/climate/');
      const section = readFeed(await (await get('/tags/rss.xml')).text());
      expect(section.ids).toHaveLength(1);
      expect((await get(new URL(section.links[0]!).pathname)).status).toBe(200);
    });

    it('lists each section once in feeds.opml, and tags, authors and the combined feed in lists of their own', async () => {
      const base = target.baseUrl;
      const xmlUrls = async (path: string) => {
        const response = await get(path);
        expect(response.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
        return [...(await response.text()).matchAll(/xmlUrl="([^"]+)"/g)].map((match) => match[1]);
      };
      expect(await xmlUrls('/feeds.opml')).toEqual([`${base}/politics/rss.xml`, `${base}/science/rss.xml`, `${base}/tags/rss.xml`]);
      expect(await xmlUrls('/tags.opml')).toEqual([`${base}/tags/climate/rss.xml`, `${base}/tags/energy-and-power/rss.xml`]);
      expect(await xmlUrls('/authors.opml')).toEqual([`${base}/authors/ada-lovelace/rss.xml`, `${base}/authors/bob-smith/rss.xml`]);
      expect(await xmlUrls('/all.opml')).toEqual([`${base}/rss.xml`]);
    });
  });
}
