// BASE_URL with a path (https://example.com/news) through app.request: the app answers requests
// with the prefix (a proxy passing it through, a Worker route) and without it (a proxy stripping
// it) alike, and every Location header, link and OPML entry carries the prefix.
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/article/parse.ts';
import { createApp } from '../../src/http/app.ts';
import { feedFastPath } from '../../src/http/feed-fast-path.ts';
import { parseOptionsOf, resolveConfig } from '../../src/site/config.ts';
import { createFolderPublisher } from '../../src/node/folder-publisher.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { basePathOf, sectionsHiddenByBasePath, stripBasePath } from '../../src/site/url-scheme.ts';
import { makeTempDir, txtArticle } from '../helpers/temp-dir.ts';

const BASE_URL = 'https://example.com/news';
const TOKEN = 'base-path-token-0123456789';

function makeApp(files: Record<string, string>, publishDir?: string) {
  const config = resolveConfig({ BASE_URL });
  const parseOptions = parseOptionsOf(config);
  const store = createMemoryStore();
  for (const [path, text] of Object.entries(files)) {
    const parsed = parseArticle({ path, bytes: new TextEncoder().encode(text), mtime: new Date('2025-03-01T12:00:00Z') }, parseOptions);
    if (!parsed.ok) throw parsed.error;
    void store.put(parsed.article);
  }
  const publish = publishDir ? { token: TOKEN, publisher: createFolderPublisher({ dir: publishDir, parseOptions }), maxBytes: 4096, log: () => {} } : undefined;
  return createApp({ store, site: config.site, feedLimit: 50, publish });
}

const FILES = {
  'politics/talks.txt': txtArticle('Politics', 'Talks continue'),
  'science/mars.txt': txtArticle('Science', 'Water on Mars'),
};

describe('stripBasePath', () => {
  it('takes the base path off whole segments only', () => {
    expect(stripBasePath('/news/politics/', '/news')).toBe('/politics/');
    expect(stripBasePath('/news', '/news')).toBe('/');
    expect(stripBasePath('/news?page=2', '/news')).toBe('/?page=2');
    expect(stripBasePath('/newsroom/', '/news')).toBe('/newsroom/');
    expect(stripBasePath('/politics/', '/news')).toBe('/politics/');
    expect(stripBasePath('/politics/', '')).toBe('/politics/');
  });

  it('names the sections a stripping proxy hides: those named like the first segment', () => {
    expect(sectionsHiddenByBasePath('/news', ['politics', 'news', 'newsroom'])).toEqual(['news']);
    expect(sectionsHiddenByBasePath('/news/en', ['news', 'en'])).toEqual(['news']);
    expect(sectionsHiddenByBasePath('', ['news'])).toEqual([]);
  });

  it('reads the base path from BASE_URL, with or without a trailing slash', () => {
    expect(basePathOf(resolveConfig({ BASE_URL: 'https://example.com/news/' }).site)).toBe('/news');
    expect(basePathOf(resolveConfig({ BASE_URL: 'https://example.com/a/b' }).site)).toBe('/a/b');
    expect(basePathOf(resolveConfig({ BASE_URL: 'https://example.com/' }).site)).toBe('');
  });
});

// '' is a proxy that strips /news; '/news' one that passes it through.
describe.each([
  ['stripped', ''],
  ['passed through', '/news'],
])('with the prefix %s', (_mode, prefix) => {
  const app = makeApp(FILES);

  it('serves the home page, whose links all carry the prefix', async () => {
    const response = await app.request(`${prefix}/`);
    expect(response.status).toBe(200);
    const hrefs = [...(await response.text()).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(10);
    for (const href of hrefs) expect(href.startsWith(`${BASE_URL}/`)).toBe(true);
    expect(hrefs).toContain(`${BASE_URL}/politics/`);
    expect(hrefs).toContain(`${BASE_URL}/politics/rss.xml`);
  });

  it('redirects a section without its slash to the prefixed section page', async () => {
    const response = await app.request(`${prefix}/politics`);
    expect(response.status).toBe(301);
    expect(response.headers.get('Location')).toBe('/news/politics/');
  });

  it('redirects a feed query to its canonical form under the prefix', async () => {
    const combined = await app.request(`${prefix}/rss.xml?page=1`);
    expect(combined.status).toBe(301);
    expect(combined.headers.get('Location')).toBe('/news/rss.xml');
    const section = await app.request(`${prefix}/politics/atom.xml?limit=5&page=1`);
    expect(section.status).toBe(301);
    expect(section.headers.get('Location')).toBe('/news/politics/atom.xml?limit=5');
  });

  it('serves feeds whose self links and item links carry the prefix', async () => {
    const rss = await (await app.request(`${prefix}/politics/rss.xml`)).text();
    expect(rss).toContain(`<atom:link href="${BASE_URL}/politics/rss.xml" rel="self"`);
    expect(rss).toContain(`<link>${BASE_URL}/politics/talks</link>`);
    const json = (await (await app.request(`${prefix}/feed.json`)).json()) as { feed_url: string; home_page_url: string; items: { url: string }[] };
    expect(json.feed_url).toBe(`${BASE_URL}/feed.json`);
    expect(json.home_page_url).toBe(`${BASE_URL}/`);
    expect(json.items.map((item) => item.url).sort()).toEqual([`${BASE_URL}/politics/talks`, `${BASE_URL}/science/mars`]);
  });

  it('lists prefixed feeds and pages in the OPML', async () => {
    const opml = await (await app.request(`${prefix}/feeds.opml`)).text();
    expect(opml).toContain(`xmlUrl="${BASE_URL}/politics/rss.xml" htmlUrl="${BASE_URL}/politics/"`);
    // The combined feed has a list of its own (README, Subscription lists).
    const all = await (await app.request(`${prefix}/all.opml`)).text();
    expect(all).toContain(`xmlUrl="${BASE_URL}/rss.xml" htmlUrl="${BASE_URL}/"`);
  });

  it('serves articles, and 404s what does not exist', async () => {
    expect((await app.request(`${prefix}/politics/talks`)).status).toBe(200);
    expect((await app.request(`${prefix}/politics/nothing`)).status).toBe(404);
  });

  it('answers cached feeds on the fast path as the app does', async () => {
    const target = `${prefix}/science/rss.xml`;
    const fromApp = await app.request(target);
    const answer = feedFastPath(app)!.answer(target, false, () => null);
    expect(answer?.status).toBe(200);
    expect(new TextDecoder().decode(answer!.body as Uint8Array)).toBe(await fromApp.text());
  });

  it('takes uploads at the prefixed or stripped publish API', async () => {
    const temp = await makeTempDir();
    try {
      const publishing = makeApp(FILES, temp.dir);
      const response = await publishing.request(`${prefix}/api/articles/politics/new%20talks.txt`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${TOKEN}` },
        body: txtArticle('Politics', 'New talks'),
      });
      expect(response.status).toBe(201);
      expect(await response.json()).toEqual({ path: 'politics/new talks.txt', change: 'created' });
    } finally {
      await temp.remove();
    }
  });
});

describe('the prefix itself', () => {
  const app = makeApp(FILES);

  it('redirects /news to /news/, keeping the query', async () => {
    const response = await app.request('/news?x=1');
    expect(response.status).toBe(301);
    expect(response.headers.get('Location')).toBe('/news/?x=1');
  });

  it('does not take a longer first segment for the prefix', async () => {
    const response = await app.request('/newsroom/');
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('No section "newsroom"');
  });
});

// "Prefix first": a path starting with the prefix is read as prefixed. The one URL this costs is
// a section named like the prefix's first segment behind a proxy that strips the prefix.
describe('a section named like the prefix (the documented edge)', () => {
  const app = makeApp({ ...FILES, 'news/flood.txt': txtArticle('News', 'Flood warning') });

  it('is reachable when the prefix is passed through', async () => {
    const page = await app.request('/news/news/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Flood warning');
    expect((await app.request('/news/news/flood')).status).toBe(200);
    expect(await (await app.request('/news/news/rss.xml')).text()).toContain('<title>Flood warning</title>');
  });

  it('is read as the prefix when the proxy strips it: /news/ is the home page and /news/rss.xml the combined feed', async () => {
    const home = await (await app.request('/news/')).text();
    expect(home).toContain('<h1>wirefeed</h1>');
    const feed = await (await app.request('/news/rss.xml')).text();
    expect(feed).toContain(`<atom:link href="${BASE_URL}/rss.xml" rel="self"`);
    // Nor its articles: /news/news/flood arrives stripped as /news/flood, read as a section "flood".
    const article = await app.request('/news/flood');
    expect(article.status).toBe(301);
    expect(article.headers.get('Location')).toBe('/news/flood/');
  });
});
