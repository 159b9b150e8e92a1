// `buildSite` over real temporary folders, checked file by file against the real server
// started on the same folder with the same settings.
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { buildSite, type BuildSummary } from '../../../src/node/build/build-site.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';

const BASE_URL = 'http://static.test';
// 40 items per feed page: the 101 briefs (and the combined feed) run to three pages, and the
// briefs section page (100 per page) to two.
const ENV = { BASE_URL, SITE_TITLE: 'Static <Test>', FEED_LIMIT: '40' };
const quiet = () => {};

/** Every file under `dir`, relative with `/`. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await listFiles(dir, path)));
    else found.push(path);
  }
  return found.sort();
}

/** The URL a static host serves `file` at, as the README describes the layout. */
function urlOf(file: string): string {
  const segments = file.split('/');
  const name = segments.pop()!;
  const page = segments.at(-1)?.startsWith('page.') ? segments.pop()!.slice('page.'.length) : undefined;
  const folder = segments.map((segment) => `${segment}/`).join('');
  const query = page === undefined ? '' : `?page=${page}`;
  if (name === 'index.html') return `/${folder}${query}`;
  if (name.endsWith('.html')) return `/${folder}${name.slice(0, -'.html'.length)}`;
  return `/${folder}${name}${query}`;
}

/** The exported file that holds `url`, the other way round. */
function fileOf(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  const folder = url.pathname.slice(1, slash + 1);
  const name = url.pathname.slice(slash + 1);
  const page = url.searchParams.get('page');
  const paged = page === null ? folder : `${folder}page.${page}/`;
  if (name === '') return `${paged}index.html`;
  if (name.includes('.')) return `${paged}${name}`;
  return `${folder}${name}.html`;
}

/** `_headers` as rules: pattern (placeholders match one segment) and its headers. */
function parseHeaders(text: string): { pattern: RegExp; source: string; headers: Record<string, string> }[] {
  const rules: { pattern: RegExp; source: string; headers: Record<string, string> }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (line.startsWith('/')) {
      const regex = line.replace(/[.]/g, '\\.').replace(/:[a-z]+/g, '[^/]+');
      rules.push({ pattern: new RegExp(`^${regex}$`), source: line, headers: {} });
    } else {
      const [name, ...value] = line.trim().split(': ');
      rules.at(-1)!.headers[name!.toLowerCase()] = value.join(': ');
    }
  }
  return rules;
}

async function writeFixtures(temp: TempDir): Promise<void> {
  const at = (path: string, text: string, day: number) => temp.write(path, text, new Date(Date.UTC(2025, 0, 1 + day, 12)));
  await at('politics/talks.txt', txtArticle('Politics', 'Talks resume & continue', 'First paragraph.', 'Second.'), 1);
  await at('politics/vote.txt', txtArticle('Politics', 'Vote <counted>', 'It was counted.'), 2);
  await at('sport/football/final.md', '---\ntitle: Cup final\nauthor: Ann Lee\ntags: [football]\ndate: 2025-02-01T10:00:00Z\n---\nThe *final* was **played**.\n', 3);
  await at('sport/tennis.txt', txtArticle('Sport', 'Open begins', 'Rain delays.'), 4);
  await at('politics/broken.md', '---\ntitle: [unclosed\n---\nBody.\n', 5);
  for (let i = 0; i < 101; i++) await at(`briefs/brief-${String(i).padStart(3, '0')}.txt`, txtArticle('Briefs', `Brief number ${i}`, 'Short.'), 10 + i);
}

describe('buildSite', () => {
  describe('on a folder with sections, a nested folder, Markdown, paging and a bad file', () => {
    let articles: TempDir;
    let outRoot: TempDir;
    let out: string;
    let summary: BuildSummary;
    let server: Wirefeed;
    let files: string[];

    beforeAll(async () => {
      articles = await makeTempDir();
      outRoot = await makeTempDir('wirefeed-out-');
      out = join(outRoot.dir, 'public');
      await writeFixtures(articles);
      summary = await buildSite({ dir: articles.dir, out, env: ENV, log: quiet });
      files = await listFiles(out);
      server = await startWirefeed({ ...ENV, ARTICLES_DIR: articles.dir, PORT: '0', HOST: '127.0.0.1' }, { log: quiet });
    });

    afterAll(async () => {
      await server?.close();
      await articles?.remove();
      await outRoot?.remove();
    });

    const fromServer = (url: string, init?: RequestInit) =>
      fetch(`http://127.0.0.1:${server.port}${url}`, { redirect: 'manual', ...init, headers: { 'Accept-Encoding': 'identity', ...init?.headers } });

    it('lists the bad file as rejected and exports everything else', () => {
      expect(summary.rejected.map((r) => r.path)).toEqual(['politics/broken.md']);
      expect(summary).toMatchObject({ articles: 105, sections: 3, skipped: [], scheduled: 0 });
      // Tags and authors: the two listings, football and Ann Lee with a page and three feeds each; four OPML lists.
      expect(summary.files).toEqual({ home: 1, section: 8, article: 105, feed: 30, opml: 4, stylesheet: 1, status: 1, host: 2, media: 0 });
      expect(summary.laterPages).toBe(1 + 4 * 3);
      expect(files).toEqual(expect.arrayContaining([
        'index.html', 'rss.xml', 'page.2/atom.xml', 'page.3/feed.json', 'feeds.opml', 'feed.css', 'status.json', '_headers', '404.html',
        'politics/index.html', 'politics/talks.html', 'politics/rss.xml', 'sport/final.html', 'sport/feed.json',
        'briefs/page.2/index.html', 'briefs/page.3/rss.xml', 'briefs/brief-100.html',
        'tags/index.html', 'tags/football/index.html', 'tags/football/atom.xml', 'authors/ann-lee/feed.json', 'tags.opml', 'authors.opml', 'all.opml',
      ]));
      expect(files.filter((file) => file.includes('broken'))).toEqual([]);
      expect(summary.bytes).toBeGreaterThan(0);
    });

    it('writes every file with the bytes the server sends at its URL', async () => {
      const checked: string[] = [];
      for (const file of files) {
        if (file === '_headers' || file === 'status.json' || file === '404.html') continue;
        const url = urlOf(file);
        const response = await fromServer(url);
        expect(response.status, url).toBe(200);
        const served = new Uint8Array(await response.arrayBuffer());
        const written = new Uint8Array(await readFile(join(out, file)));
        expect(Buffer.compare(written, served), `${file} differs from GET ${url}`).toBe(0);
        checked.push(url);
      }
      expect(checked).toEqual(expect.arrayContaining(['/', '/politics/', '/politics/talks', '/rss.xml?page=2', '/briefs/?page=2', '/briefs/atom.xml?page=3']));
      expect(checked).toHaveLength(files.length - 3);
    });

    it('writes the status as the JSON the server sends, and 404.html as its not-found body', async () => {
      const served = (await (await fromServer('/status', { headers: { Accept: 'application/json' } })).json()) as Record<string, unknown>;
      const written = JSON.parse(await readFile(join(out, 'status.json'), 'utf8')) as Record<string, unknown>;
      // updatedAt is when each process indexed the folder, not a property of the files.
      expect({ ...written, updatedAt: null }).toEqual({ ...served, updatedAt: null });
      const missing = await fromServer('/no/such/page');
      expect(missing.status).toBe(404);
      expect(await readFile(join(out, '404.html'), 'utf8')).toBe(await missing.text());
    });

    it('leaves no dead links in pages and feeds', async () => {
      const present = new Set(files);
      const links = new Set<string>();
      for (const file of files.filter((f) => /\.(html|xml|json|opml)$/.test(f))) {
        const text = await readFile(join(out, file), 'utf8');
        for (const [match] of text.matchAll(/http:\/\/static\.test[^\s"'<>\\)]*/g)) links.add(match.replace(/&amp;/g, '&'));
      }
      const dead = [...links].filter((link) => !present.has(fileOf(new URL(link))));
      expect(dead).toEqual([]);
      expect([...links]).toEqual(expect.arrayContaining([
        `${BASE_URL}/`, `${BASE_URL}/feed.css`, `${BASE_URL}/politics/talks`, `${BASE_URL}/briefs/?page=2`,
        `${BASE_URL}/briefs/rss.xml?page=3`, `${BASE_URL}/atom.xml?page=2`, `${BASE_URL}/sport/feed.json`,
      ]));
    });

    it("gives every feed, the OPML and the stylesheet the server's headers in _headers", async () => {
      const text = await readFile(join(out, '_headers'), 'utf8');
      const rules = parseHeaders(text);
      expect(rules.find((r) => r.source === '/:section/rss.xml')?.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect(rules.find((r) => r.source === '/:section/:page/atom.xml')?.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
      expect(rules.find((r) => r.source === '/feed.json')?.headers['content-type']).toBe('application/feed+json; charset=utf-8');
      expect(rules.find((r) => r.source === '/feeds.opml')?.headers['content-type']).toBe('text/x-opml; charset=utf-8');
      for (const file of files.filter((f) => /\.(xml|json|opml|css)$/.test(f) && f !== 'status.json')) {
        const matching = rules.filter((rule) => rule.pattern.test(`/${file}`));
        // One rule per file: hosts merge the values of overlapping rules.
        expect(matching.map((r) => r.source), file).toHaveLength(1);
        const response = await fromServer(urlOf(file));
        for (const name of ['content-type', 'cache-control', 'access-control-allow-origin']) {
          expect(matching[0]!.headers[name], `${name} of ${file}`).toBe(response.headers.get(name) ?? undefined);
        }
        await response.body?.cancel();
      }
      // Pages and articles are left to the host, which serves .html as text/html.
      expect(rules.filter((rule) => rule.pattern.test('/politics/talks.html') || rule.pattern.test('/politics/index.html'))).toEqual([]);
    });
  });

  describe('on a second build', () => {
    let articles: TempDir;
    let outRoot: TempDir;

    afterEach(async () => {
      await articles?.remove();
      await outRoot?.remove();
    });

    it('removes the files of a deleted article and anything else stale, and keeps dot-entries', async () => {
      articles = await makeTempDir();
      outRoot = await makeTempDir('wirefeed-out-');
      const out = join(outRoot.dir, 'site');
      await articles.write('politics/talks.txt', txtArticle('Politics', 'Talks resume'));
      await articles.write('politics/vote.txt', txtArticle('Politics', 'Vote counted'));
      await buildSite({ dir: articles.dir, out, env: ENV, log: quiet });
      expect(await readFile(join(out, 'politics/rss.xml'), 'utf8')).toContain('Vote counted');
      await writeFile(join(out, 'leftover.html'), 'old');
      await mkdir(join(out, '.git'));
      await writeFile(join(out, '.git/HEAD'), 'ref: refs/heads/gh-pages\n');

      await rm(join(articles.dir, 'politics/vote.txt'));
      const summary = await buildSite({ dir: articles.dir, out, env: ENV, log: quiet });
      const files = await listFiles(out);
      expect(summary.articles).toBe(1);
      expect(files).toContain('politics/talks.html');
      expect(files).not.toContain('politics/vote.html');
      expect(files).not.toContain('leftover.html');
      expect(files).toContain('.git/HEAD');
      expect(files.filter((file) => file.startsWith('.wirefeed-'))).toEqual([]);
      expect(await readFile(join(out, 'politics/rss.xml'), 'utf8')).not.toContain('Vote counted');
    });

    it('skips an article whose file would be its section page, and says so', async () => {
      articles = await makeTempDir();
      outRoot = await makeTempDir('wirefeed-out-');
      await articles.write('politics/index.txt', txtArticle('Politics', 'An article called index'));
      await articles.write('politics/talks.txt', txtArticle('Politics', 'Talks resume'));
      const lines: string[] = [];
      const summary = await buildSite({ dir: articles.dir, out: outRoot.dir, env: ENV, log: (line) => lines.push(line) });
      expect(summary.skipped.map((s) => s.url)).toEqual(['/politics/index']);
      expect(lines.some((line) => line.includes('skipped /politics/index'))).toBe(true);
      expect(await readFile(join(outRoot.dir, 'politics/index.html'), 'utf8')).toContain('<h1>Politics</h1>');
    });
  });

  describe('refuses', () => {
    let articles: TempDir;
    let outRoot: TempDir;

    beforeAll(async () => {
      articles = await makeTempDir();
      outRoot = await makeTempDir('wirefeed-out-');
      await articles.write('politics/talks.txt', txtArticle('Politics', 'Talks resume'));
    });

    afterAll(async () => {
      await articles?.remove();
      await outRoot?.remove();
    });

    it.each([
      ['the articles folder itself', () => articles.dir],
      ['a folder that contains the articles folder', () => join(articles.dir, '..')],
      ['the root of the file system', () => '/'],
    ])('to build into %s', async (_name, out) => {
      await expect(buildSite({ dir: articles.dir, out: out(), env: ENV, log: quiet })).rejects.toBeInstanceOf(ConfigError);
      expect(await listFiles(articles.dir)).toEqual(['politics/talks.txt']);
    });

    it('to replace a non-empty folder that no build wrote', async () => {
      const out = join(outRoot.dir, 'notes');
      await mkdir(out);
      await writeFile(join(out, 'todo.txt'), 'keep me');
      await expect(buildSite({ dir: articles.dir, out, env: ENV, log: quiet })).rejects.toThrow(/not empty and was not written by wirefeed build/);
      expect(await listFiles(out)).toEqual(['todo.txt']);
    });

    it('to build without BASE_URL, since every link is absolute', async () => {
      const out = join(outRoot.dir, 'no-base');
      await expect(buildSite({ dir: articles.dir, out, env: {}, log: quiet })).rejects.toThrow(/BASE_URL is required/);
      await expect(readdir(out)).rejects.toThrow();
    });
  });
});

describe('buildSite with BASE_URL under a path', () => {
  let articles: TempDir;
  let outRoot: TempDir;

  afterEach(async () => {
    await articles?.remove();
    await outRoot?.remove();
  });

  it('writes files at the root of --out whose links carry the path, even for a section named like it', async () => {
    articles = await makeTempDir();
    outRoot = await makeTempDir('wirefeed-out-');
    await articles.write('politics/talks.txt', txtArticle('Politics', 'Talks continue'));
    await articles.write('news/flood.txt', txtArticle('News', 'Flood warning'));
    const out = join(outRoot.dir, 'public');
    await buildSite({ dir: articles.dir, out, env: { BASE_URL: 'http://static.test/news/' }, log: quiet });
    expect(await listFiles(out)).toEqual(expect.arrayContaining(['index.html', 'rss.xml', 'news/index.html', 'news/flood.html', 'news/rss.xml', 'politics/talks.html']));
    const home = await readFile(join(out, 'index.html'), 'utf8');
    expect(home).toContain('href="http://static.test/news/politics/"');
    expect(home).toContain('href="http://static.test/news/news/rss.xml"');
    // The section "news" is the section, not the home page read through the prefix.
    const section = await readFile(join(out, 'news', 'index.html'), 'utf8');
    expect(section).toContain('<h1>News</h1>');
    expect(section).toContain('href="http://static.test/news/news/flood"');
    expect(await readFile(join(out, 'news', 'rss.xml'), 'utf8')).toContain('<atom:link href="http://static.test/news/news/rss.xml" rel="self"');
    const opml = await readFile(join(out, 'feeds.opml'), 'utf8');
    expect(opml).toContain('xmlUrl="http://static.test/news/politics/rss.xml"');
  });
});
