// Every link on every page and feed of the Wikinews corpus (plus images, tags and authors:
// tests/helpers/crawl-corpus.ts) resolves on the Node server: a crawl from `/` over a real server
// on an ephemeral port, following pages, feeds (every format, every page of them), OPML, article
// bodies and media files. Links off the site are listed, not fetched (offline). The same crawl
// runs over a static build (crawl-static.test.ts) and the Worker (tests/workerd/crawl.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeCrawlCorpus, missingFromCrawl } from '../helpers/crawl-corpus.ts';
import { BROWSER_ACCEPT, crawlKeeping, crawlSite } from '../helpers/crawl-site.ts';
import type { TempDir } from '../helpers/temp-dir.ts';

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
  it('follows redirects inside the site, and with `confine` reports a redirect or link that leaves the base path', async () => {
    const routes: Record<string, Response | (() => Response)> = {};
    const page = (body: string) => () => new Response(body, { headers: { 'content-type': 'text/html' } });
    const redirect = (to: string) => () => new Response(null, { status: 301, headers: { location: to } });
    routes['https://s.example/news/'] = page('<a href="a">a</a> <a href="/news/out">out</a> <a href="/top">top</a> <a href="loop">loop</a>');
    routes['https://s.example/news/a'] = redirect('/news/a/');
    routes['https://s.example/news/a/'] = page('<img src="../b.png">');
    routes['https://s.example/news/out'] = redirect('https://s.example/elsewhere');
    routes['https://s.example/news/loop'] = redirect('loop');
    const result = await crawlSite(
      'https://s.example/news',
      async (url) => {
        const route = routes[url];
        if (url === 'https://s.example/news/b.png') return new Response(new Uint8Array([1]), { headers: { 'content-type': 'image/png' } });
        return typeof route === 'function' ? route() : new Response('no', { status: 404 });
      },
      { confine: true },
    );
    expect(result.broken).toEqual(
      expect.arrayContaining([
        { url: 'https://s.example/news/out', status: 301, from: 'https://s.example/news/', reason: 'redirects off the site, to https://s.example/elsewhere' },
        { url: 'https://s.example/top', status: 0, from: 'https://s.example/news/', reason: 'outside /news' },
        { url: 'https://s.example/news/loop', status: 301, from: 'https://s.example/news/', reason: 'more than 5 redirects' },
      ]),
    );
    expect(result.broken).toHaveLength(3);
    // The redirect target's own links resolve against it: `../b.png` from /news/a/.
    expect(result.visited).toContain('https://s.example/news/b.png');
    // Without `confine`, a link to the origin outside the path is only external.
    const loose = await crawlSite('https://s.example/news', async (url) => (url === 'https://s.example/news/' ? page('<a href="/top">top</a>')() : new Response('no', { status: 404 })));
    expect(loose.broken).toEqual([]);
    expect([...loose.external]).toEqual(['https://s.example/top']);
  });

  it('finds links inside feed content however it is escaped: CDATA, entities, JSON strings', async () => {
    const site: Record<string, [string, string]> = {
      'https://s.example/': ['text/html', '<link href="/rss.xml"><link href="/feed.json">'],
      'https://s.example/rss.xml': ['application/rss+xml', `<description>&lt;img src=&quot;https://s.example/it's.png&quot;&gt;</description><content:encoded><![CDATA[<a href="https://s.example/two">2</a>]]></content:encoded><category domain="https://s.example/three/">x</category>`],
      'https://s.example/feed.json': ['application/feed+json', '{"content_html": "<img src=\\"https://s.example/four.jpg\\">"}'],
    };
    const result = await crawlSite('https://s.example', async (url) => {
      const page = site[url];
      return page ? new Response(page[1], { headers: { 'content-type': page[0] } }) : new Response('no', { status: 404 });
    });
    expect(result.broken.map(({ url }) => url).sort()).toEqual(['https://s.example/four.jpg', "https://s.example/it's.png", 'https://s.example/three/', 'https://s.example/two']);
  });
});

describe('the Node server over the Wikinews corpus', () => {
  let corpus: TempDir;
  let wirefeed: Wirefeed;
  let base: string;

  beforeAll(async () => {
    corpus = await makeCrawlCorpus();
    wirefeed = await startWirefeed({ ARTICLES_DIR: corpus.dir, STATE_DIR: 'off', PORT: '0', HOST: '127.0.0.1' }, { log: () => {} });
    base = `http://127.0.0.1:${wirefeed.port}`;
  }, 60_000);

  afterAll(async () => {
    await wirefeed?.close();
    await corpus?.remove();
  });

  it('answers 200 for every link its pages, feeds, OPML and media give, and links the sources it credits', async () => {
    const status = (await (await fetch(`${base}/status`)).json()) as { articles: number };
    const { baseUrl } = wirefeed.config.site;
    // As a browser: from the home page and the HTML status page.
    const result = await crawlKeeping(baseUrl, base, { start: ['/', '/status'], headers: BROWSER_ACCEPT });
    expect(result.broken).toEqual([]);
    expect(missingFromCrawl(result, baseUrl, status.articles)).toEqual([]);
    // The Markdown articles credit their originals: links off the site, never fetched here.
    expect([...result.external].some((url) => url.startsWith('https://en.wikinews.org/wiki/'))).toBe(true);
  }, 120_000);
});
