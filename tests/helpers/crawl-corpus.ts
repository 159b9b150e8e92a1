// The corpus the crawl tests walk: the Wikinews fixture (tests/fixtures/wikinews) copied into a
// temp folder, plus a few articles that give the site every other kind of link: real PNG and
// JPEG files named by front-matter `image:` (next to the file and from the root) and by
// `![](…)` and raw `<img>` in bodies (in subfolders; spaces, an accent, `'`, `%` and brackets in
// names), tags and authors from front matter and from a plain-text `Tags:` line (one tag on every
// second Wikinews text, so a tag's page and feeds have later pages), attribution links, and
// relative links between two articles of a folder section (`photo-desk/`, one a folder deeper).
import { appendFile, cp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { CrawlResult } from './crawl-site.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';

export const WIKINEWS = join(import.meta.dirname, '..', 'fixtures', 'wikinews');

/** The media files the extra articles name, by path inside the articles folder. */
export const CORPUS_MEDIA = ['photo-desk/solar-farm.png', 'photo-desk/charts/output chart.jpg', "photo-desk/it's 50% (draft).png", 'images/Café turbine.jpg', 'images/logo.png', 'photo-desk/gallery/river.jpg'];

/** The same files as URL paths, spelt as pages spell them: each segment percent-encoded (src/site/url-scheme.ts mediaPath). */
export const CORPUS_MEDIA_PATHS = CORPUS_MEDIA.map((path) => `/${path.split('/').map(encodeURIComponent).join('/')}`);

/** Tag and author pages the extra articles must create, as URL paths under the site root. */
export const CORPUS_TERM_PAGES = ['/tags/wikinews/', '/tags/wikinews/?page=2', '/tags/wikinews/atom.xml?page=3', '/tags/energy-and-power/', '/tags/wirefeed-crawl/', '/tags/weather/', '/authors/jane-reporter/', '/authors/kim-lee/'];

const ARTICLES: Record<string, string> = {
  'photo-desk/solar-farm-opens.md': `---
title: "Solar farm opens on the old airfield"
section: "Science and technology"
date: 2020-06-01
author: Jane Reporter
tags: [Energy & Power, Wirefeed crawl]
image: solar-farm.png
source_url: "https://example.org/news/solar-farm"
license: "CC BY 4.0"
license_url: "https://creativecommons.org/licenses/by/4.0/"
---

The panels went live on Monday. Output over the first week:

![Output over the first week](<charts/output chart.jpg>)

The site's logo: ![logo](/images/logo.png "wirefeed")

<p>The first sketch: <img src="it's 50%25 (draft).png" alt="sketch"></p>
`,
  'photo-desk/wind-turbines-turn.md': `---
title: "Wind turbines turn for the first time"
section: "Science and technology"
date: 2020-06-02
authors:
  - name: Kim Lee
    url: "https://example.org/people/kim-lee"
  - name: Jane Reporter
tags: [energy & power]
image: "/images/Café turbine.jpg"
---

Raw HTML with a relative picture: <img src="solar-farm.png" alt="the solar farm next door">
`,
  'photo-desk/gallery/river-in-flood.md': `---
title: "The river in flood"
date: 2020-06-03
tags: [Weather]
---

![The river at its highest](river.jpg)

The next story: [the harbour](../harbour-after-the-storm).
`,
  'photo-desk/harbour-after-the-storm.md': `---
title: "The harbour after the storm"
date: 2020-06-04
---

Back to [the river](./river-in-flood), and its picture on its own: [river.jpg](gallery/river.jpg).
`,
  'harbour-reopens-after-storm.txt': `Disasters and accidents

Harbour reopens after storm

Ships were back in the harbour on Friday after a week of repairs.

Tags: Weather, Wirefeed crawl`,
};

/** Writes the corpus into a new temp folder; the caller removes it. */
export async function makeCrawlCorpus(): Promise<TempDir> {
  const temp = await makeTempDir('wirefeed-crawl-');
  await cp(WIKINEWS, temp.dir, { recursive: true });
  // Over 100 articles: the tag's page has a page 2, its feeds (50 a page) a page 3.
  const texts = (await readdir(temp.dir)).filter((name) => name.endsWith('.txt')).sort();
  for (const name of texts.filter((_, index) => index % 2 === 0)) await appendFile(join(temp.dir, name), '\n\nTags: Wikinews');
  for (const [path, text] of Object.entries(ARTICLES)) await temp.write(path, text);
  for (const [index, path] of CORPUS_MEDIA.entries()) await temp.write(path, await image(path, index));
  return temp;
}

/** A small real image, PNG or JPEG by the name's extension, in a colour of its own. */
async function image(path: string, index: number): Promise<Uint8Array> {
  const picture = sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 40 * index, g: 120, b: 200 - 30 * index } } });
  return path.endsWith('.png') ? picture.png().toBuffer() : picture.jpeg({ quality: 80 }).toBuffer();
}

/**
 * What a crawl of the corpus at `baseUrl` should have reached and did not, one line each: an
 * empty list means the crawl saw every kind of document (so a pass is not a vacuous one).
 * `articles` is how many articles the site says it has.
 */
export function missingFromCrawl({ visited, external }: CrawlResult, baseUrl: string, articles: number): string[] {
  const paths = new Set(visited.filter((url) => url.startsWith(`${baseUrl}/`)).map((url) => url.slice(baseUrl.length)));
  const wanted = [
    '/',
    '/feeds.opml',
    '/tags.opml',
    '/authors.opml',
    '/feed.css',
    '/rss.xml',
    '/atom.xml',
    '/feed.json?page=2',
    '/tags/',
    '/authors/',
    '/politics-and-conflicts/',
    '/politics-and-conflicts/rss.xml?page=2',
    '/photo-desk/',
    '/photo-desk/harbour-after-the-storm',
    '/tags/weather/feed.json',
    '/authors/kim-lee/atom.xml',
    ...CORPUS_TERM_PAGES,
    ...CORPUS_MEDIA_PATHS,
  ];
  const missing = wanted.filter((path) => !paths.has(path));
  const articlePages = [...paths].filter((path) => /^\/[a-z0-9-]+\/[a-z0-9-]+$/.test(path)).length;
  if (articlePages < articles) missing.push(`only ${articlePages} article pages of ${articles}`);
  for (const url of ['https://creativecommons.org/licenses/by/2.5/', 'https://example.org/news/solar-farm', 'https://example.org/people/kim-lee']) {
    if (!external.has(url)) missing.push(`the credit link ${url}`);
  }
  return missing;
}
