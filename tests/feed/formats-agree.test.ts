// The three renderers, read back by a real feed parser, must tell the same story about the same items.
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feed/atom.ts';
import { renderJsonFeed } from '../../src/feed/json-feed.ts';
import { renderRss } from '../../src/feed/rss.ts';
import type { FeedItem } from '../../src/feed/types.ts';
import { makeItem, makeItems, makeMeta, TRICKY_TITLES } from './fixtures.ts';

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
