// Attribution end to end: Markdown files with source, licence and canonical keys, served by the
// Node app: the credit line and rel=canonical on the page, and the feeds' attribution elements.
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditHtml } from '../../src/article/credit.ts';
import { makeNodeTarget, type Target } from '../http/suite.ts';
import { txtArticle } from '../helpers/temp-dir.ts';

const MTIME = new Date('2025-03-10T08:00:00Z');

const WIKINEWS = [
  '---',
  'title: "Mayor stabbed on stage"',
  'section: World',
  'date: 2019-01-14',
  'source: "Wikinews"',
  'source_url: "https://en.wikinews.org/wiki/Arrest_made_as_mayor_of_Gda%C5%84sk"',
  'license: "CC BY 2.5"',
  '---',
  '',
  'A body.',
  '',
].join('\n');

const HOSTILE = [
  '---',
  'title: Hostile',
  'section: World',
  'date: 2019-01-15',
  `source: 'Evil <script>alert(1)</script> & "co"'`,
  'source_url: "https://evil.example/a?b=1&c=\\"x\\"#<y>"',
  'license: "<b>Mine</b> & yours"',
  'canonical: "https://origin.example/a?x=1&y=<2>"',
  '---',
  '',
  'Another body.',
  '',
].join('\n');

describe('creditHtml', () => {
  it('links the source and the licence, escaping every value', () => {
    expect(creditHtml({ source: 'A & <B>', sourceUrl: 'https://a.example/?q="1"&r=2', license: 'CC BY 2.5', licenseUrl: 'https://creativecommons.org/licenses/by/2.5/' })).toBe(
      '<p class="credit">Source: <a href="https://a.example/?q=&quot;1&quot;&amp;r=2">A &amp; &lt;B&gt;</a> · ' +
        'Licence: <a rel="license" href="https://creativecommons.org/licenses/by/2.5/">CC BY 2.5</a></p>',
    );
  });

  it('writes unlinked names as text, and nothing without a source or licence', () => {
    expect(creditHtml({ source: 'Reuters' })).toBe('<p class="credit">Source: Reuters</p>');
    expect(creditHtml({ license: 'Public domain' })).toBe('<p class="credit">Licence: Public domain</p>');
    expect(creditHtml({ canonical: 'https://origin.example/' })).toBeUndefined();
    expect(creditHtml(undefined)).toBeUndefined();
  });
});

describe('attribution through the Node app', () => {
  let target: Target;
  const get = (path: string) => target.request(path);
  const text = async (path: string) => {
    const response = await get(path);
    expect(response.status, path).toBe(200);
    return response.text();
  };

  beforeAll(async () => {
    target = await makeNodeTarget(
      [
        { path: 'wikinews.md', content: WIKINEWS, mtime: MTIME },
        { path: 'hostile.md', content: HOSTILE, mtime: MTIME },
        { path: 'plain.txt', content: txtArticle('World', 'Plain', 'No credit.'), mtime: MTIME },
      ],
      'Credits',
      'app',
    );
  }, 60_000);

  afterAll(async () => {
    await target?.close();
  });

  it('shows the credit line on the page, and its own URL as canonical', async () => {
    const page = await text('/world/wikinews');
    expect(page).toContain(
      '<p class="credit">Source: <a href="https://en.wikinews.org/wiki/Arrest_made_as_mayor_of_Gda%C5%84sk">Wikinews</a> · ' +
        'Licence: <a rel="license" href="https://creativecommons.org/licenses/by/2.5/">CC BY 2.5</a></p>',
    );
    expect(page).toContain(`<link rel="canonical" href="${target.baseUrl}/world/wikinews">`);
    expect(page.match(/rel="canonical"/g)).toHaveLength(1);
  });

  it('escapes hostile values and takes the front-matter canonical URL', async () => {
    const page = await text('/world/hostile');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<b>Mine');
    expect(page).toContain('Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;');
    expect(page).toContain('Licence: &lt;b&gt;Mine&lt;/b&gt; &amp; yours</p>');
    expect(page).toContain('href="https://evil.example/a?b=1&amp;c=%22x%22#%3Cy%3E"');
    expect(page).toContain('<link rel="canonical" href="https://origin.example/a?x=1&amp;y=%3C2%3E">');
  });

  it('gives a page without attribution no credit line and its own canonical URL', async () => {
    const page = await text('/world/plain');
    expect(page).not.toContain('class="credit"');
    expect(page).toContain(`<link rel="canonical" href="${target.baseUrl}/world/plain">`);
  });

  it('carries the attribution in every feed format, the credit line ending the body', async () => {
    const rss = parseRssFeed(await text('/world/rss.xml'));
    const rssItem = rss.items?.find((item) => item.link?.endsWith('/world/wikinews'));
    expect(rssItem?.dc?.sources).toEqual(['https://en.wikinews.org/wiki/Arrest_made_as_mayor_of_Gda%C5%84sk']);
    expect(rssItem?.dc?.rights).toEqual(['CC BY 2.5']);
    expect(rssItem?.content?.encoded).toMatch(/<p>A body\.<\/p>\n<p class="credit">Source: <a href="https:\/\/en\.wikinews\.org\/wiki\/[^"]+">Wikinews<\/a>/);

    const atom = parseAtomFeed(await text('/world/atom.xml'));
    const entry = atom.entries?.find((item) => item.links?.[0]?.href?.endsWith('/world/wikinews'));
    expect(entry?.links?.find((link) => link.rel === 'via')).toEqual({
      href: 'https://en.wikinews.org/wiki/Arrest_made_as_mayor_of_Gda%C5%84sk',
      rel: 'via',
      title: 'Wikinews',
    });
    expect(entry?.links?.find((link) => link.rel === 'license')?.href).toBe('https://creativecommons.org/licenses/by/2.5/');
    expect(entry?.rights).toEqual({ value: 'CC BY 2.5', type: 'text' });

    const json = parseJsonFeed(JSON.parse(await text('/world/feed.json')));
    const byUrl = new Map(json.items?.map((item) => [item.url, item]));
    expect(byUrl.get(`${target.baseUrl}/world/wikinews`)?.external_url).toBe('https://en.wikinews.org/wiki/Arrest_made_as_mayor_of_Gda%C5%84sk');
    expect(byUrl.get(`${target.baseUrl}/world/hostile`)?.external_url).toBe('https://evil.example/a?b=1&c=%22x%22#%3Cy%3E');
    expect(byUrl.get(`${target.baseUrl}/world/plain`)?.external_url).toBeUndefined();
    expect(byUrl.get(`${target.baseUrl}/world/wikinews`)?.content_html).toContain('<p class="credit">');
  });
});
