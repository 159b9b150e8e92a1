// The three renderers, read back by a real feed parser, must tell the same story about the same items.
import { parseAtomFeed, parseFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feed/atom.ts';
import { renderJsonFeed } from '../../src/feed/json-feed.ts';
import { renderRss } from '../../src/feed/rss.ts';
import type { FeedItem, FeedMeta } from '../../src/feed/types.ts';
import { makeItem, makeItems, makeMeta, makePagedMeta, makeSummaryItems, TRICKY_TITLES } from './fixtures.ts';

interface Story {
  id?: string;
  title?: string;
  link?: string;
  published?: number;
  updated?: number;
  authors?: string[];
  categories?: Array<string | undefined>;
}

const time = (date: string | undefined) => (date === undefined ? undefined : new Date(date).getTime());

function rssStory(items: FeedItem[]): Story[] {
  return (parseRssFeed(renderRss(makeMeta(), items)).items ?? []).map((item) => ({
    id: item.guid?.value,
    title: item.title,
    link: item.link,
    published: time(item.pubDate),
    authors: item.dc?.creators ?? [],
    categories: (item.categories ?? []).map((category) => category.name),
  }));
}

function atomStory(items: FeedItem[]): Story[] {
  return (parseAtomFeed(renderAtom(makeMeta(), items)).entries ?? []).map((entry) => ({
    id: entry.id,
    title: entry.title?.value,
    link: entry.links?.[0]?.href,
    published: time(entry.published),
    updated: time(entry.updated),
    authors: (entry.authors ?? []).map((author) => author.name ?? ''),
    categories: (entry.categories ?? []).map((category) => category.label ?? category.term),
  }));
}

function jsonStory(items: FeedItem[]): Story[] {
  return (parseJsonFeed(JSON.parse(renderJsonFeed(makeMeta(), items))).items ?? []).map((item) => ({
    id: item.id,
    title: item.title,
    link: item.url,
    published: time(item.date_published),
    updated: time(item.date_modified),
    authors: (item.authors ?? []).map((author) => author.name ?? ''),
    categories: item.tags ?? [],
  }));
}

// RSS 2.0 has no update date per item.
const withoutUpdated = (stories: Story[]) => stories.map(({ updated: _updated, ...rest }) => rest);

describe('the three formats', () => {
  const items = [
    ...makeItems(),
    ...TRICKY_TITLES.map(([title], index) => makeItem({ title, tags: ['a<b', 'x & y'] }, `tricky-${index}`)),
    makeItem({ category: { name: 'C++ & <Tech>', slug: 'c-tech', url: 'https://example.com/c-tech/' } }, 'odd-section'),
  ];

  it('agree on ids, titles, links, dates, authors and categories', () => {
    const json = jsonStory(items);
    expect(atomStory(items)).toEqual(json);
    expect(rssStory(items)).toEqual(withoutUpdated(json));
  });

  it('carry the input values themselves', () => {
    expect(jsonStory(items)).toEqual(
      items.map((item) => ({
        id: item.id,
        title: TRICKY_TITLES.find(([given]) => given === item.title)?.[1] ?? item.title,
        link: item.url,
        published: item.publishedAt.getTime(),
        updated: item.updatedAt.getTime(),
        authors: item.authors.map((author) => author.name),
        categories: [item.category.name, ...item.tags],
      })),
    );
  });

  it('point their self links at the URL each is served from', () => {
    const meta = makeMeta();
    expect(parseRssFeed(renderRss(meta, [])).atom?.links?.find((link) => link.rel === 'self')?.href).toBe(meta.links.rss);
    expect(parseAtomFeed(renderAtom(meta, [])).links?.find((link) => link.rel === 'self')?.href).toBe(meta.links.atom);
    expect(parseJsonFeed(JSON.parse(renderJsonFeed(meta, []))).feed_url).toBe(meta.links.json);
  });
});

interface Discovery {
  self?: string;
  hubs: string[];
  next?: string;
}

// What a client finds out about where to subscribe and where to read on, read back by feedsmith's
// format-detecting parser: hub and next links in RSS and Atom, `hubs` and `next_url` in JSON Feed.
function discover(meta: FeedMeta, format: 'rss' | 'atom' | 'json'): Discovery {
  const rendered = { rss: renderRss, atom: renderAtom, json: renderJsonFeed }[format](meta, makeSummaryItems());
  const parsed = parseFeed(format === 'json' ? JSON.parse(rendered) : rendered);
  if (parsed.format === 'json') {
    const hubs = (parsed.feed.hubs ?? []).map((hub) => hub.url ?? '');
    return { self: parsed.feed.feed_url, hubs, next: parsed.feed.next_url };
  }
  const links = (parsed.format === 'rss' ? parsed.feed.atom?.links : parsed.format === 'atom' ? parsed.feed.links : []) ?? [];
  const href = (rel: string) => links.find((link) => link.rel === rel)?.href;
  return { self: href('self'), hubs: links.filter((link) => link.rel === 'hub').map((link) => link.href ?? ''), next: href('next') };
}

describe('the three formats of one page', () => {
  it('agree on its hubs, each pointing at itself and at its own next page', () => {
    const meta = makePagedMeta();
    for (const format of ['rss', 'atom', 'json'] as const) {
      expect(discover(meta, format)).toEqual({ self: meta.links[format], hubs: meta.hubs, next: meta.paging?.next?.[format] });
    }
  });

  it('agree on ids, titles, links, dates, authors and categories when cut to summaries', () => {
    const items = makeSummaryItems();
    const json = jsonStory(items);
    expect(atomStory(items)).toEqual(json);
    expect(rssStory(items)).toEqual(withoutUpdated(json));
  });
});
