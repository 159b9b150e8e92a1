// The HTML pages and feeds as headless Chromium shows them, served by a real wirefeed over a
// temp articles folder. Screenshots land in test-artifacts/browser/ for a person to look at.
import { utimes } from 'node:fs/promises';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { launchChromium, saveScreenshot, watchProblems } from './chromium.ts';

const SITE_TITLE = 'Wire & <Desk>';
const HOSTILE = `<img src=x onerror="window.__pwned=1"> & <script>window.__pwned=1</script>`;
const HOUR_MS = 3_600_000;

const FEED_TYPES = [
  ['rss.xml', 'application/rss+xml'],
  ['atom.xml', 'application/atom+xml'],
  ['feed.json', 'application/feed+json'],
] as const;

/** Recent dates, so the status page's 30-day chart has bars. */
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR_MS);

/** Markdown with front matter; `date` quoted so YAML hands over the string as written. */
function mdArticle(fields: { title: string; section: string; date: Date }, body: string): string {
  return `---\ntitle: '${fields.title}'\nsection: ${fields.section}\ndate: '${fields.date.toISOString()}'\n---\n\n${body}\n`;
}

async function hrefs(links: Locator): Promise<(string | null)[]> {
  return Promise.all((await links.all()).map((link) => link.getAttribute('href')));
}

/** The page's feed discovery links (`<link rel="alternate">`) as [type, href] pairs. */
async function discoveryLinks(page: Page): Promise<[string | null, string | null][]> {
  const links = await page.locator('link[rel="alternate"]').all();
  return Promise.all(links.map(async (link) => [await link.getAttribute('type'), await link.getAttribute('href')] as [string | null, string | null]));
}

describe('pages in Chromium', () => {
  let temp: TempDir;
  let wirefeed: Wirefeed;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let base: string;

  /** The feed discovery links a page for `section` (or the whole site) should carry. */
  const expectedDiscovery = (section?: string) =>
    FEED_TYPES.map(([file, type]) => [type, `${base}/${section ? `${section}/` : ''}${file}`]);

  beforeAll(async () => {
    temp = await makeTempDir('wirefeed-browser-');
    await temp.write(
      'politics/hostile.md',
      mdArticle(
        { title: HOSTILE, section: 'Politics', date: hoursAgo(20) },
        'The body tries too. <script>window.__pwned=1</script> <img src="javascript:window.__pwned=1" onerror="window.__pwned=1">',
      ),
    );
    const vote = await temp.write('vote.txt', txtArticle('Politics', 'Vote counted in the capital', 'Turnout was high.'));
    const talks = await temp.write('talks.txt', txtArticle('Politics', 'Talks continue', 'First paragraph.', 'Second.'));
    await temp.write('sports/final.md', mdArticle({ title: 'Home side wins the final', section: 'Sports', date: hoursAgo(30) }, 'A **late** goal.'));
    const match = await temp.write('match.txt', txtArticle('Sports', 'Away side holds on', 'A report.'));
    await temp.write('science/comet.md', mdArticle({ title: 'Comet passes close to Earth', section: 'Science', date: hoursAgo(150) }, 'Look up tonight.'));
    await temp.write('broken.txt', '');
    // A .txt article is dated by its file's modification time.
    await utimes(vote, hoursAgo(44), hoursAgo(44));
    await utimes(talks, hoursAgo(70), hoursAgo(70));
    await utimes(match, hoursAgo(100), hoursAgo(100));

    wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', SITE_TITLE }, { log: () => {} });
    base = wirefeed.config.site.baseUrl;
  });

  afterAll(async () => {
    await browser?.close();
    await wirefeed?.close();
    await temp?.remove();
  });

  beforeEach(async () => {
    // One Chromium for the file, launched by the first test rather than in beforeAll: vitest
    // counts the tests under a failed beforeAll as skipped, and a missing Chromium must fail them.
    browser ??= await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    page = await context.newPage();
    problems = watchProblems(page);
  });

  afterEach(async () => {
    await context?.close();
  });

  it('shows the home page with every section, its count and feed links that resolve', async () => {
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe(SITE_TITLE);
    expect(await page.textContent('h1')).toBe(SITE_TITLE);

    const rows = [];
    for (const row of await page.locator('tbody tr').all()) {
      const [name, count] = await row.locator('td').allInnerTexts();
      rows.push({ name, count, feeds: await hrefs(row.locator('.feeds a')) });
    }
    expect(rows).toEqual(
      [
        ['Politics', 'politics', '3'],
        ['Science', 'science', '1'],
        ['Sports', 'sports', '2'],
      ].map(([name, slug, count]) => ({ name, count, feeds: expectedDiscovery(slug).map(([, href]) => href) })),
    );

    const feedLinks = await hrefs(page.locator('.feeds a'));
    expect(feedLinks).toHaveLength(12); // the combined feeds and three per section
    for (const href of feedLinks) {
      const feed = await page.request.get(href!);
      expect(feed.status(), href!).toBe(200);
    }

    expect(await discoveryLinks(page)).toEqual(expectedDiscovery());
    for (const [type, href] of await discoveryLinks(page)) {
      expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      const feed = await page.request.get(href!);
      expect(feed.status(), href!).toBe(200);
      expect(feed.headers()['content-type']).toBe(`${type}; charset=utf-8`);
    }

    await saveScreenshot(page, 'home');
    expect(problems).toEqual([]);
  });

  it('lists a section newest first, and each article link opens a page headed by its title', async () => {
    await page.goto(`${base}/politics/`);
    expect(await page.textContent('h1')).toBe('Politics');
    const titles = [HOSTILE, 'Vote counted in the capital', 'Talks continue'];
    expect(await page.locator('ul.items li a').allInnerTexts()).toEqual(titles);
    const dates = await page.locator('ul.items .meta').allInnerTexts();
    expect(dates).toEqual([...dates].sort().reverse());
    expect(await discoveryLinks(page)).toEqual(expectedDiscovery('politics'));
    await saveScreenshot(page, 'section-politics');

    const links = await hrefs(page.locator('ul.items li a'));
    for (const [index, title] of titles.entries()) {
      await page.locator('ul.items li a').nth(index).click();
      await page.waitForURL(links[index]!);
      expect(await page.textContent('h1')).toBe(title);
      await page.goBack();
    }
    expect(problems).toEqual([]);
  });

  it('shows a hostile title as text on its article page and runs none of it', async () => {
    await page.goto(`${base}/politics/hostile`);
    expect(await page.textContent('h1')).toBe(HOSTILE);
    expect(await page.title()).toBe(`${HOSTILE} | ${SITE_TITLE}`);
    expect(await page.evaluate<string>('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('h1 *').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    expect((await page.locator('article p').nth(2).innerText()).trim()).toBe('The body tries too.');
    expect(await discoveryLinks(page)).toEqual(expectedDiscovery('politics'));
    await saveScreenshot(page, 'article-hostile');
    expect(problems).toEqual([]);
  });

  it('shows the status page with its chart, the sections table and the rejected file', async () => {
    const response = await page.goto(`${base}/status`);
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');

    const chart = page.locator('svg[role="img"]');
    expect(await chart.isVisible()).toBe(true);
    expect(await chart.getAttribute('aria-label')).toBe('6 articles published in the last 30 days');
    expect(await chart.locator('rect').count()).toBe(30);
    const perDay = (await chart.locator('rect > title').allTextContents()).map((text) => Number(text.split(': ')[1]));
    expect(perDay.reduce((sum, n) => sum + n, 0)).toBe(6);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(0);
    expect(box?.height).toBeGreaterThan(0);

    const sections = page.locator('table').filter({ has: page.locator('th', { hasText: 'Last updated' }) });
    const rows = [];
    for (const row of await sections.locator('tbody tr').all()) rows.push((await row.locator('td').allInnerTexts()).slice(0, 2));
    expect(rows).toEqual([
      ['Politics', '3'],
      ['Science', '1'],
      ['Sports', '2'],
    ]);
    expect(await page.locator('h2', { hasText: 'Rejected files' }).innerText()).toBe('Rejected files (1)');
    expect(await page.locator('td code').allInnerTexts()).toEqual(['broken.txt']);

    await saveScreenshot(page, 'status');
    expect(problems).toEqual([]);
  });

  // Chromium shows application/rss+xml and application/atom+xml as plain source text. A
  // top-level navigation (Sec-Fetch-Dest: document) therefore gets the same bytes as
  // application/xml, which Chromium renders as an XML document with the xml-stylesheet applied.
  it.each([
    ['/politics/rss.xml', 'rss'],
    ['/atom.xml', 'atom'],
  ])('renders %s with the feed stylesheet, for a person to read', async (path, name) => {
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));

    const response = await page.goto(`${base}${path}`);
    expect(response?.headers()['content-type']).toBe('application/xml; charset=utf-8');
    const source = await response!.text();
    expect(source).toContain(`<?xml-stylesheet type="text/css" href="${base}/feed.css"?>`);
    expect(requests).toEqual([`${base}${path}`, `${base}/feed.css`]);

    const root = name === 'rss' ? 'rss' : 'feed';
    const note = await page.evaluate<string>(`getComputedStyle(document.documentElement, '::before').content`);
    expect(note).toMatch(/This is a web feed/);
    expect(await page.evaluate<string>('document.documentElement.localName')).toBe(root);
    const items = await page.evaluate<number>('document.getElementsByTagNameNS("*", "item").length + document.getElementsByTagNameNS("*", "entry").length');
    expect(items).toBeGreaterThan(0);

    await saveScreenshot(page, `feed-${name}`);
    expect(problems).toEqual([]);
  });

  it('keeps the registered feed types for feed readers, which do not send Sec-Fetch-Dest', async () => {
    const response = await fetch(`${base}/politics/rss.xml`);
    expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
  });
});
