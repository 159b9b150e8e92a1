// Attribution in all three formats, read back by a feed parser: RSS <source>/dc:source/dc:rights/
// creativeCommons:license, Atom rel="via"/rel="license"/<rights>, JSON Feed external_url/_attribution.
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import type { Attribution } from '../../src/article/types.ts';
import { renderAtom } from '../../src/feed/atom.ts';
import { renderJsonFeed } from '../../src/feed/json-feed.ts';
import { renderRss } from '../../src/feed/rss.ts';
import type { FeedItem } from '../../src/feed/types.ts';
import { makeItem, makeMeta } from './fixtures.ts';
import { expectWellFormed } from './helpers.ts';

const HOSTILE_NAME = 'Wiki & <News> "]]>';

function makeAttribution(overrides: Partial<Attribution> = {}): Attribution {
  return {
    source: HOSTILE_NAME,
    sourceUrl: 'https://en.wikinews.org/wiki/A?x=1&y=2',
    license: 'CC BY 2.5 & <more>',
    licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
    ...overrides,
  };
}

/** A full item and a summary-only one, both attributed. */
function attributedItems(attribution: Attribution = makeAttribution()): FeedItem[] {
  return [makeItem({ attribution }), makeItem({ html: undefined, attribution }, 'second')];
}

describe('attribution in RSS', () => {
  it('writes dc:source, dc:rights and creativeCommons:license per item, with or without xmlns:dc on <rss>', () => {
    for (const items of [attributedItems(), attributedItems().map(({ html: _html, ...item }) => item)]) {
      const xml = renderRss(makeMeta(), items);
      expectWellFormed(xml);
      const parsed = parseRssFeed(xml).items ?? [];
      expect(parsed).toHaveLength(2);
      for (const item of parsed) {
        expect(item.dc?.sources).toEqual(['https://en.wikinews.org/wiki/A?x=1&y=2']);
        expect(item.dc?.rights).toEqual(['CC BY 2.5 & <more>']);
        expect(xml).toContain(
          '<creativeCommons:license xmlns:creativeCommons="http://backend.userland.com/creativeCommonsRssModule">https://creativecommons.org/licenses/by/2.5/</creativeCommons:license>',
        );
        // No source_feed: the page is not a channel, so no <source>.
        expect(item.source).toBeUndefined();
      }
    }
  });

  it('writes <source url> only for the source feed, named by the source', () => {
    const xml = renderRss(makeMeta(), attributedItems(makeAttribution({ sourceFeed: 'https://en.wikinews.org/feed?a=1&b=2' })));
    expectWellFormed(xml);
    for (const item of parseRssFeed(xml).items ?? []) {
      expect(item.source).toEqual({ title: HOSTILE_NAME, url: 'https://en.wikinews.org/feed?a=1&b=2' });
    }
  });

  it('writes none of it for an item without attribution', () => {
    const xml = renderRss(makeMeta(), [makeItem()]);
    expect(xml).not.toMatch(/<source|dc:source|dc:rights|creativeCommons/);
  });
});

describe('attribution in Atom', () => {
  it('links the original with rel="via" titled by the source, the licence with rel="license", and names it in <rights>', () => {
    const xml = renderAtom(makeMeta(), attributedItems());
    expectWellFormed(xml);
    const entries = parseAtomFeed(xml).entries ?? [];
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      // The fixture's items have images: their enclosure links are media's (tests/feed/media.test.ts).
      expect(entry.links?.filter((link) => link.rel !== 'enclosure')).toEqual([
        { href: expect.stringMatching(/^https:\/\/example\.com\/tech\//) },
        { href: 'https://creativecommons.org/licenses/by/2.5/', rel: 'license' },
        { href: 'https://en.wikinews.org/wiki/A?x=1&y=2', rel: 'via', title: HOSTILE_NAME },
      ]);
      expect(entry.rights).toEqual({ value: 'CC BY 2.5 & <more>', type: 'text' });
    }
  });

  it('writes only what is given, and nothing for an entry without attribution', () => {
    const xml = renderAtom(makeMeta(), [
      makeItem({ attribution: { license: 'Public domain' } }),
      makeItem({}, 'plain'),
      makeItem({ attribution: { source: 'Reuters', sourceUrl: 'https://reuters.example/a' } }, 'third'),
    ]);
    expectWellFormed(xml);
    // Without the fixture's enclosure links (media's), an entry has its alternate link and what attribution adds.
    const [first, plain, third] = (parseAtomFeed(xml).entries ?? []).map((entry) => ({ ...entry, links: entry.links?.filter((link) => link.rel !== 'enclosure') }));
    expect(first?.rights).toEqual({ value: 'Public domain', type: 'text' });
    expect(first?.links).toHaveLength(1);
    expect(plain?.rights).toBeUndefined();
    expect(plain?.links).toHaveLength(1);
    expect(third?.rights).toBeUndefined();
    expect(third?.links?.[1]).toEqual({ href: 'https://reuters.example/a', rel: 'via', title: 'Reuters' });
  });
});

describe('attribution in JSON Feed', () => {
  it('gives the original as external_url and the rest in an _attribution extension', () => {
    const json = renderJsonFeed(makeMeta(), attributedItems(makeAttribution({ canonical: 'https://origin.example/a' })));
    const parsed = parseJsonFeed(JSON.parse(json));
    for (const item of parsed.items ?? []) expect(item.external_url).toBe('https://en.wikinews.org/wiki/A?x=1&y=2');
    const raw = JSON.parse(json) as { items: Array<Record<string, unknown>> };
    expect(raw.items[0]?._attribution).toEqual({
      source: HOSTILE_NAME,
      source_url: 'https://en.wikinews.org/wiki/A?x=1&y=2',
      license: 'CC BY 2.5 & <more>',
      license_url: 'https://creativecommons.org/licenses/by/2.5/',
    });
  });

  it('falls back to the canonical URL, unless that is the item itself', () => {
    const elsewhere = makeItem({ attribution: { canonical: 'https://origin.example/a' } });
    const itself = makeItem({ attribution: { canonical: 'https://example.com/tech/second' } }, 'second');
    const raw = JSON.parse(renderJsonFeed(makeMeta(), [elsewhere, itself, makeItem({}, 'plain')])) as {
      items: Array<Record<string, unknown>>;
    };
    expect(raw.items.map((item) => item.external_url)).toEqual(['https://origin.example/a', undefined, undefined]);
    expect(raw.items.map((item) => item._attribution)).toEqual([undefined, undefined, undefined]);
  });
});
