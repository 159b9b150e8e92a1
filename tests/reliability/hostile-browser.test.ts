// Headless Chromium reads a site built from classic XSS payloads (in .txt titles, Markdown
// titles, bodies, authors, tags, section names, file names and the site title) and must run
// none of them: no dialog, no `window.__pwned`, no script element, no event-handler attribute,
// no javascript: URL, no console error, on the home, section, article, status and feed pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { launchChromium, saveScreenshot, watchProblems } from '../browser/chromium.ts';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.ts';
import { HOSTILE_SITE_TITLE, PAYLOADS, writeHostileArticles, type HostileArticle } from './abuse-payloads.ts';
import { SOAK, recordFigures, size } from './figures.ts';

/** Pages open at once; on two cores more tabs only compete for the CPU. */
const TABS = 2;

interface Tab {
  page: Page;
  problems: string[];
}

/** Runs in every frame before any page script: a write to `window.__pwned` is reported, not stored. */
const SENTINEL = `Object.defineProperty(window, '__pwned', {
  configurable: false,
  get() { return undefined; },
  set() { window.__reportPwned(location.href); },
});`;

/** Everything on the page that could run script, found by walking every element. */
const INSPECT = `(() => {
  const all = [...document.getElementsByTagName('*')];
  const attributes = all.flatMap((el) => [...el.attributes].map((a) => [el.localName, a.name, a.value]));
  const risky = ['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'applet'];
  return {
    h1: document.querySelector('h1')?.textContent ?? null,
    title: document.title,
    links: [...document.querySelectorAll('tbody tr td:first-child a, ul.items li a')].map((a) => a.href),
    sectionNames: [...document.querySelectorAll('tbody tr td:first-child a')].map((a) => a.textContent),
    codes: [...document.querySelectorAll('td code')].map((code) => code.textContent),
    scripts: all.filter((el) => el.localName === 'script').length,
    handlers: attributes.filter(([, name]) => /^on/i.test(name)).map(([el, name]) => el + '[' + name + ']'),
    embeds: all.filter((el) => risky.includes(el.localName) || (el.localName === 'meta' && el.hasAttribute('http-equiv'))).map((el) => el.localName),
    urls: attributes
      .filter(([, name, value]) => /^(href|src|action|formaction|data|xlink:href|srcdoc|poster|background)$/i.test(name) && /^(javascript|data|vbscript):/i.test(value.replace(/[\\u0000-\\u0020]/g, '')))
      .map(([el, name, value]) => el + '[' + name + ']=' + value),
  };
})()`;

interface Inspection {
  h1: string | null;
  title: string;
  /** Section links on the home page, article links on a section page. */
  links: string[];
  sectionNames: string[];
  /** File names on /status. */
  codes: string[];
  scripts: number;
  handlers: string[];
  embeds: string[];
  urls: string[];
}

describe('hostile titles and section names in Chromium', () => {
  let temp: TempDir;
  let wirefeed: Wirefeed;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let tabs: Tab[] = [];
  let base: string;
  let expected: HostileArticle[];
  const hits: string[] = [];
  const dialogs: string[] = [];
  const problems: string[] = [];
  const found: string[] = [];
  const visited: string[] = [];
  const started = performance.now();

  beforeAll(async () => {
    temp = await makeTempDir('wirefeed-hostile-');
    expected = await writeHostileArticles(temp);
    wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', SITE_TITLE: HOSTILE_SITE_TITLE }, { log: () => {} });
    base = wirefeed.config.site.baseUrl;
  });

  afterAll(async () => {
    await browser?.close();
    await wirefeed?.close();
    await temp?.remove();
    await recordFigures('hostile-browser', {
      title: 'Hostile titles and section names in a real browser',
      command: `${SOAK ? 'SOAK=1 ' : ''}npx vitest run --project node tests/reliability/hostile-browser.test.ts`,
      rows: {
        payloads: PAYLOADS.length,
        'articles built from them': expected?.reduce((n, article) => n + article.titles.length, 0) ?? 0,
        'sections named by them': expected?.length ?? 0,
        'pages visited': visited.length,
        'scripts run (sentinel writes)': hits.length,
        dialogs: dialogs.length,
        'script elements, handlers, frames or javascript: URLs in the DOM': found.length,
        'console errors and failed requests': problems.length,
        'duration (s)': Math.round((performance.now() - started) / 100) / 10,
      },
      note:
        'Headless Chromium (playwright-core, /usr/bin/chromium) visits the home, every section, every article, /status and each ' +
        "section's RSS and Atom views of a site whose site title, section names, .txt titles, Markdown titles, bodies, authors, " +
        'tags and file names are classic XSS payloads. Passing means no dialog, no write to the window.__pwned sentinel, no script, ' +
        'event handler, frame or javascript: URL in any DOM, and no console error. Screenshots: test-artifacts/browser/hostile-*.png.',
    });
  });

  /** One Chromium context for the file, opened by the first test (a missing Chromium fails it, not skips it). */
  async function open(): Promise<void> {
    if (browser) return;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await context.exposeFunction('__reportPwned', (href: string) => hits.push(href));
    await context.addInitScript(SENTINEL);
    // `<img src=x>` in a body resolves against the article file's folder (`/x`, `/kitchen/x`):
    // answer it with something that is not an image, so an onerror that survived would fire,
    // without a 404 in the console.
    await context.route((url) => url.pathname.endsWith('/x'), (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'not an image' }));
    tabs = await Promise.all(Array.from({ length: TABS }, () => openTab()));
  }

  /** A page that reports its dialogs, and its console errors, page errors, failed requests and 4xx/5xx as they happen. */
  async function openTab(): Promise<Tab> {
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(`${page.url()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return { page, problems: watchProblems(page) };
  }

  /** Visits `url` in `tab`, walks the DOM of every frame, and returns what the page shows. */
  async function visit({ page, problems: tabProblems }: Tab, url: string): Promise<Inspection> {
    const before = tabProblems.length;
    const response = await page.goto(url);
    expect(response?.status(), url).toBe(200);
    visited.push(url);
    let main: Inspection | undefined;
    for (const frame of page.frames()) {
      const inspection = await frame.evaluate<Inspection>(INSPECT);
      const where = `${url} (${frame === page.mainFrame() ? 'page' : 'frame'})`;
      if (frame === page.mainFrame()) main = inspection;
      else found.push(`${where}: a frame`);
      if (inspection.scripts > 0) found.push(`${where}: ${inspection.scripts} script elements`);
      for (const item of [...inspection.handlers, ...inspection.embeds, ...inspection.urls]) found.push(`${where}: ${item}`);
    }
    problems.push(...tabProblems.slice(before).map((problem) => `${url}: ${problem}`));
    return main!;
  }

  /** Visits every URL, a few tabs at a time; results in the order of `urls`. */
  async function visitAll(urls: string[]): Promise<Inspection[]> {
    const results: Inspection[] = [];
    let next = 0;
    await Promise.all(
      tabs.map(async (tab) => {
        while (next < urls.length) {
          const index = next++;
          results[index] = await visit(tab, urls[index]!);
        }
      }),
    );
    return results;
  }

  it('catches a payload that does run: the sentinel, the dialog listener and the DOM walk all see it', async () => {
    await open();
    const { page } = tabs[0]!;
    await page.goto(`${base}/robots.txt`);
    await page.setContent('<p>control</p><img src=x onerror="window.__pwned=1;alert(1)">');
    for (let waited = 0; (hits.length === 0 || dialogs.length === 0) && waited < 5000; waited += 50) await page.waitForTimeout(50);
    expect(hits).toHaveLength(1);
    expect(dialogs).toHaveLength(1);
    expect((await page.evaluate<Inspection>(INSPECT)).handlers).toEqual(['img[onerror]']);
    hits.length = 0;
    dialogs.length = 0;
  });

  it('runs nothing on the home, section, article, status and feed pages, and shows every payload as text', async () => {
    await open();
    const main = tabs[0]!;
    const home = await visit(main, `${base}/`);
    expect(home.title).toBe(HOSTILE_SITE_TITLE);
    expect(home.h1).toBe(HOSTILE_SITE_TITLE);
    expect(new Set(home.sectionNames)).toEqual(new Set(expected.map((article) => article.section)));
    await saveScreenshot(main.page, 'hostile-home');

    // Every article page names its section too, so the short run opens only a few section pages.
    const sections = home.links;
    const feed = (await (await fetch(`${base}/feed.json?limit=500`)).json()) as { items: { url: string }[] };
    const articles = feed.items.map((item) => item.url);
    const titles = new Set(expected.flatMap((article) => article.titles));
    expect(articles).toHaveLength(titles.size);
    for (const shown of await visitAll(sections.slice(0, size(4, sections.length)))) {
      expect(home.sectionNames).toContain(shown.h1);
      expect(shown.title).toBe(`${shown.h1} | ${HOSTILE_SITE_TITLE}`);
      expect(articles).toEqual(expect.arrayContaining(shown.links));
    }
    for (const [index, shown] of (await visitAll(articles)).entries()) {
      expect(titles.has(shown.h1 ?? ''), `${articles[index]}: ${shown.h1}`).toBe(true);
      expect(shown.title).toBe(`${shown.h1} | ${HOSTILE_SITE_TITLE}`);
    }
    // The worst page: every payload in one body, three in the title, one as the author.
    await visit(main, articles.find((url) => url.endsWith('/everything'))!);
    await saveScreenshot(main.page, 'hostile-article');

    const status = await visit(main, `${base}/status`);
    expect(status.codes).toContain('<svg onload=alert(1)>.txt');
    // The feeds as a browser shows them (application/xml with the stylesheet): markup in the
    // items must stay text there too, and no XHTML script may be smuggled into the document.
    const feeds = sections.slice(0, size(3, sections.length)).flatMap((section) => [`${section}rss.xml`, `${section}atom.xml`]);
    await visitAll(feeds);
    await visit(main, feeds[0]!);
    await saveScreenshot(main.page, 'hostile-feed');

    expect({ hits, dialogs, found, problems }).toEqual({ hits: [], dialogs: [], found: [], problems: [] });
    await context.close();
  }, 120_000);
});
