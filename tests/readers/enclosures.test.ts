// Real feed readers on our output: every article with an image must come out of each of them
// with its picture. Debian's python3-feedparser, newsboat and sfeed (.ci/run installs them) and
// npm's rss-parser read the RSS feed (and the Atom feed where they read Atom).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';

const run = promisify(execFile);
const md = (front: string[], body = 'Body.') => ['---', ...front, '---', '', body, ''].join('\n');

let temp: TempDir;
let home: TempDir;
let wirefeed: Wirefeed;
let base: string;
const feeds: Record<'rss' | 'atom', string> = { rss: '', atom: '' };

beforeAll(async () => {
  temp = await makeTempDir();
  home = await makeTempDir('wirefeed-readers-');
  await temp.write('science/chip.png', new Uint8Array(1234));
  await temp.write('science/photos/lab.jpg', new Uint8Array(567));
  await temp.write('science/own.md', md(['title: Own image', 'section: Science', 'date: 2025-01-04', 'image: chip.png']));
  await temp.write('science/body.md', md(['title: Body image', 'section: Science', 'date: 2025-01-03'], 'Text ![The lab](photos/lab.jpg).'));
  await temp.write('science/remote.md', md(['title: Remote image', 'section: Science', 'date: 2025-01-02', 'image: https://cdn.example.org/a.webp']));
  await temp.write('science/none.txt', txtArticle('Science', 'No image'));
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', STATE_DIR: 'off' }, { log: () => {} });
  base = wirefeed.config.site.baseUrl;
  for (const format of ['rss', 'atom'] as const) {
    feeds[format] = await (await fetch(`${base}/science/${format}.xml`)).text();
    await writeFile(join(home.dir, `${format}.xml`), feeds[format]);
  }
});

afterAll(async () => {
  await wirefeed?.close();
  await temp?.remove();
  await home?.remove();
});

/** What we expect every reader to see: the own images as complete enclosures. */
const own = () => ({
  'Own image': { url: `${base}/science/chip.png`, type: 'image/png', length: 1234 },
  'Body image': { url: `${base}/science/photos/lab.jpg`, type: 'image/jpeg', length: 567 },
});

describe('real readers on feeds with images', () => {
  it('python3-feedparser reports the enclosure of own images and the thumbnail of every image, in RSS and Atom', async () => {
    const script = [
      'import feedparser, json, sys',
      'out = {}',
      'for path in sys.argv[1:]:',
      '  d = feedparser.parse(path)',
      '  out[path] = {e.title: {"enclosures": [dict(url=x.get("href"), type=x.get("type"), length=x.get("length")) for x in e.get("enclosures", [])],',
      '                         "thumbnail": [t.get("url") for t in e.get("media_thumbnail", [])]} for e in d.entries}',
      'print(json.dumps(out))',
    ].join('\n');
    // Debian's python3, where python3-feedparser is installed.
    const { stdout } = await run('/usr/bin/python3', ['-c', script, join(home.dir, 'rss.xml'), join(home.dir, 'atom.xml')]);
    const report = JSON.parse(stdout) as Record<string, Record<string, { enclosures: { url: string; type: string; length: string }[]; thumbnail: string[] }>>;
    const rss = report[join(home.dir, 'rss.xml')]!;
    const atom = report[join(home.dir, 'atom.xml')]!;
    for (const [title, enclosure] of Object.entries(own())) {
      expect(rss[title]!.enclosures).toEqual([{ ...enclosure, length: String(enclosure.length) }]);
      expect(rss[title]!.thumbnail).toEqual([enclosure.url]);
      expect(atom[title]!.enclosures).toEqual([{ ...enclosure, length: String(enclosure.length) }]);
    }
    expect(rss['Remote image']).toEqual({ enclosures: [], thumbnail: ['https://cdn.example.org/a.webp'] });
    expect(atom['Remote image']!.enclosures).toEqual([{ url: 'https://cdn.example.org/a.webp', type: 'image/webp', length: null }]);
    expect(rss['No image']).toEqual({ enclosures: [], thumbnail: [] });
  });

  it('newsboat reads every item, and the body image (with its absolute URL) in the content', async () => {
    // newsboat 2.21 (Debian 12) keeps an <enclosure> only when its type is audio or video (its
    // podcast support), and reads no Media RSS: an image reaches it through the item's HTML only.
    // Front-matter images that are not in the body are therefore invisible in newsboat.
    const urls = join(home.dir, 'urls');
    const cache = join(home.dir, 'cache.db');
    await writeFile(urls, `${base}/science/rss.xml\n`);
    const env = { ...process.env, HOME: home.dir };
    await run('newsboat', ['-u', urls, '-c', cache, '-x', 'reload'], { env, timeout: 30_000 });
    const query = 'import sqlite3,sys,json; print(json.dumps(sqlite3.connect(sys.argv[1]).execute("select title, content from rss_item").fetchall()))';
    const { stdout } = await run('/usr/bin/python3', ['-c', query, cache]);
    const items = new Map((JSON.parse(stdout) as [string, string][]).map(([title, content]) => [title, { content }]));
    expect([...items.keys()].sort()).toEqual(['Body image', 'No image', 'Own image', 'Remote image']);
    expect(items.get('Body image')!.content).toContain(`<img src="${base}/science/photos/lab.jpg" alt="The lab">`);
  });

  it('sfeed reports the enclosure URL of own images, from RSS and Atom', async () => {
    for (const feed of ['rss', 'atom'] as const) {
      const { stdout } = await run('sh', ['-c', 'sfeed < "$1"', 'sfeed', join(home.dir, `${feed}.xml`)]);
      // sfeed's TSV: timestamp, title, link, content, content-type, id, author, enclosure, category.
      const items = new Map(stdout.split('\n').filter(Boolean).map((line) => line.split('\t')).map((fields) => [fields[1], fields[7]]));
      for (const [title, enclosure] of Object.entries(own())) expect(items.get(title)).toBe(enclosure.url);
      expect(items.get('No image')).toBe('');
    }
  });

  it('rss-parser reports the enclosure of own images and the Media RSS thumbnail of every image', async () => {
    const parser = new Parser({ customFields: { item: [['media:thumbnail', 'thumbnail']] } });
    const feed = await parser.parseString(feeds.rss);
    const items = new Map(feed.items.map((item) => [item.title, item as typeof item & { thumbnail?: { $: { url: string } } }]));
    for (const [title, enclosure] of Object.entries(own())) {
      expect(items.get(title)!.enclosure).toEqual({ ...enclosure, length: String(enclosure.length) });
      expect(items.get(title)!.thumbnail?.$.url).toBe(enclosure.url);
    }
    expect(items.get('Remote image')!.enclosure).toBeUndefined();
    expect(items.get('Remote image')!.thumbnail?.$.url).toBe('https://cdn.example.org/a.webp');
  });
});
