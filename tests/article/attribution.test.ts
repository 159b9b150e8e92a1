// Front-matter attribution: source, source_url, source_feed, license, license_url, canonical.
import { describe, expect, it } from 'vitest';
import { licenceDeed } from '../../src/article/attribution.ts';
import { markdown, parseOk, parseReason } from './helpers.ts';

const parse = (lines: string[]) => parseOk('news/x.md', markdown(['title: T', ...lines]));
const reason = (lines: string[]) => parseReason('news/x.md', markdown(['title: T', ...lines]));

describe('front-matter attribution', () => {
  it('reads a named, linked source and a licence with its own URL', () => {
    const article = parse([
      'source: "  Wikinews  "',
      'source_url: https://en.wikinews.org/wiki/Gda%C5%84sk',
      'source_feed: https://en.wikinews.org/w/index.php?title=Special:NewsFeed&feed=atom',
      'license: CC BY 2.5',
      'license_url: https://example.org/licence',
      'canonical: https://origin.example/news/x',
    ]);
    expect(article.attribution).toEqual({
      source: 'Wikinews',
      sourceUrl: 'https://en.wikinews.org/wiki/Gda%C5%84sk',
      sourceFeed: 'https://en.wikinews.org/w/index.php?title=Special:NewsFeed&feed=atom',
      license: 'CC BY 2.5',
      licenseUrl: 'https://example.org/licence',
      canonical: 'https://origin.example/news/x',
    });
  });

  it('names a source given only by URL after its host, and links a Creative Commons licence to its deed', () => {
    const article = parse(['source_url: "https://www.bbc.co.uk/news/1"', 'license: "CC BY 2.5"']);
    expect(article.attribution).toEqual({
      source: 'bbc.co.uk',
      sourceUrl: 'https://www.bbc.co.uk/news/1',
      license: 'CC BY 2.5',
      licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
    });
    expect(parse(['source: https://example.org/a']).attribution).toEqual({ source: 'example.org', sourceUrl: 'https://example.org/a' });
    expect(parse(['source: Reuters']).attribution).toEqual({ source: 'Reuters' });
  });

  it('takes a licence given as a URL as its own name', () => {
    expect(parse(['license: https://example.org/terms']).attribution).toEqual({
      license: 'https://example.org/terms',
      licenseUrl: 'https://example.org/terms',
    });
  });

  it('knows the Creative Commons licences however they are spelt, and nothing else', () => {
    expect(licenceDeed('CC BY 2.5')).toBe('https://creativecommons.org/licenses/by/2.5/');
    expect(licenceDeed('CC-BY-SA-4.0')).toBe('https://creativecommons.org/licenses/by-sa/4.0/');
    expect(licenceDeed('cc by-nc-nd 3.0')).toBe('https://creativecommons.org/licenses/by-nc-nd/3.0/');
    expect(licenceDeed('CC0')).toBe('https://creativecommons.org/publicdomain/zero/1.0/');
    expect(licenceDeed('CC BY 9.9')).toBeUndefined();
    expect(licenceDeed('MIT')).toBeUndefined();
    expect(licenceDeed('All rights reserved')).toBeUndefined();
  });

  it('has no attribution when no key is given', () => {
    expect(parse([]).attribution).toBeUndefined();
    expect(parse(['source: ""', 'license: null']).attribution).toBeUndefined();
  });

  it('rejects relative and non-web URLs with the key and value', () => {
    expect(reason(['source_url: /wiki/A'])).toBe('front matter `source_url` must be an absolute http(s) URL: "/wiki/A"');
    expect(reason(['canonical: news/x'])).toMatch(/`canonical` must be an absolute http\(s\) URL/);
    expect(reason(['canonical: "javascript:alert(1)"'])).toMatch(/`canonical` must be an absolute http\(s\) URL/);
    expect(reason(['license_url: ftp://example.org/l'])).toMatch(/`license_url` must be an absolute http\(s\) URL/);
    expect(reason(['source_feed: feed.xml'])).toMatch(/`source_feed` must be an absolute http\(s\) URL/);
  });

  it('rejects wrong types with the key', () => {
    expect(reason(['source: [a, b]'])).toBe('front matter `source` must be text');
    expect(reason(['license: { name: CC }'])).toBe('front matter `license` must be text');
    expect(reason(['source_url: true'])).toBe('front matter `source_url` must be text');
    expect(reason(['canonical: [https://a.example/]'])).toBe('front matter `canonical` must be text');
  });

  it('refuses a source URL given twice', () => {
    expect(reason(['source: https://a.example/', 'source_url: https://b.example/'])).toMatch(/put the source's name in `source`/);
  });
});

describe('the shipped Wikinews articles', () => {
  it('all credit Wikinews under CC BY 2.5 with a link to the original', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const folder = join(import.meta.dirname, '..', '..', 'articles');
    const files = readdirSync(folder).filter((name) => name.endsWith('.md'));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const article = parseOk(name, new Uint8Array(readFileSync(join(folder, name))));
      expect(article.attribution, name).toMatchObject({
        source: 'Wikinews',
        sourceUrl: expect.stringMatching(/^https:\/\/en\.wikinews\.org\/wiki\//),
        license: 'CC BY 2.5',
        licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
      });
    }
  });
});
