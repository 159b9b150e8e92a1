// Every link on every page and feed of the Wikinews corpus resolves on the Node server: a crawl
// from `/` over a real server on an ephemeral port, following pages, feeds (every format, every
// page of them), OPML and article bodies. Links off the site are listed, not fetched (offline).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/serve.ts';
import { crawlSite } from '../helpers/crawl-site.ts';

const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'wikinews');

describe('crawlSite', () => {
  it('reports a link that does not answer 200, with the document that named it, and does not fetch other sites', async () => {
    const site: Record<string, [string, string]> = {
      'https://s.example/': ['text/html', '<a href="/a">a</a> <a href="https://other.example/x">x</a> <link href="https://s.example/feed.xml">'],
      'https://s.example/a': ['text/html', '<img src="missing.jpg"><a href="/#top">home</a>'],
      'https://s.example/feed.xml': ['application/rss+xml', '<link>https://s.example/a?x=1&#x26;y=2</link>'],
      'https://s.example/a?x=1&y=2': ['text/html', 'ok'],
    };
    const fetched: string[] = [];
    const result = await crawlSite('https://s.example', async (url) => {
      fetched.push(url);
      const page = site[url];
      return page ? new Response(page[1], { headers: { 'content-type': page[0] } }) : new Response('no', { status: 404 });
    });
    expect(result.broken).toEqual([{ url: 'https://s.example/missing.jpg', status: 404, from: 'https://s.example/a' }]);
    expect(fetched).not.toContain('https://other.example/x');
    expect(fetched).toContain('https://s.example/a?x=1&y=2');
    expect([...result.external]).toEqual(['https://other.example/x']);
  });
});

describe('the Node server over the Wikinews corpus', () => {
  let wirefeed: Wirefeed;
  let base: string;

  beforeAll(async () => {
    wirefeed = await startWirefeed({ ARTICLES_DIR: CORPUS, STATE_DIR: 'off', PORT: '0', HOST: '127.0.0.1' }, { log: () => {} });
    base = `http://127.0.0.1:${wirefeed.port}`;
  }, 60_000);

  afterAll(async () => {
    await wirefeed?.close();
  });

  it('answers 200 for every link its pages, feeds and OPML give, and links the sources it credits', async () => {
    const status = (await (await fetch(`${base}/status`)).json()) as { articles: number };
    const { visited, broken, external } = await crawlSite(wirefeed.config.site.baseUrl, (url) =>
      fetch(url.replace(wirefeed.config.site.baseUrl, base)),
    );
    expect(broken).toEqual([]);
    // Every article page was reached, besides the section pages and feeds.
    const articlePages = visited.filter((url) => /^[^?]*\/[^/?]+\/[^/.?]+$/.test(new URL(url).pathname));
    expect(articlePages.length).toBeGreaterThanOrEqual(status.articles);
    expect(visited.some((url) => url.endsWith('/feeds.opml'))).toBe(true);
    expect(visited.some((url) => url.includes('feed.json?page=2'))).toBe(true);
    // The Markdown articles credit their originals: links off the site, never fetched here.
    expect([...external].some((url) => url.startsWith('https://en.wikinews.org/wiki/'))).toBe(true);
    expect(external.has('https://creativecommons.org/licenses/by/2.5/')).toBe(true);
  }, 120_000);
});
