// Builders for the renderers' input: a fresh object per call, fixed dates, shallow overrides.
import type { FeedItem, FeedLinks, FeedMeta, FeedPaging } from '../../src/feed/types.ts';

/** The feed of the `tech` section of example.com. */
export function makeMeta(overrides: Partial<FeedMeta> = {}): FeedMeta {
  return {
    id: 'tag:example.com,2026:feed/tech',
    title: 'Tech | Example News',
    description: 'Latest Tech articles from Example News',
    homeUrl: 'https://example.com/tech/',
    links: {
      rss: 'https://example.com/tech/rss.xml',
      atom: 'https://example.com/tech/atom.xml',
      json: 'https://example.com/tech/feed.json',
    },
    hubs: [],
    language: 'en',
    updated: new Date('2024-04-12T10:00:00Z'),
    ...overrides,
  };
}

/** The URLs of page `page` of the `tech` feed in each format; the `&` in the query must reach readers escaped. */
export function makePageLinks(page: number): FeedLinks {
  return {
    rss: `https://example.com/tech/rss.xml?page=${page}&size=3`,
    atom: `https://example.com/tech/atom.xml?page=${page}&size=3`,
    json: `https://example.com/tech/feed.json?page=${page}&size=3`,
  };
}

/** Paging of page 2 of 4: every RFC 5005 link, each to a different page. */
export function makePaging(): FeedPaging {
  return { first: makePageLinks(1), previous: makePageLinks(1), next: makePageLinks(3), last: makePageLinks(4) };
}

/** Two WebSub hubs, one with `&` in its query. */
export function makeHubs(): string[] {
  return ['https://hub.example.com/websub?topic=tech&lease=1', 'https://pubsubhubbub.appspot.com/'];
}

/** The stylesheet URL, with `&` in its query. */
export const STYLESHEET = 'https://example.com/feed.css?v=2&theme=light';

/** Page 2 of the `tech` feed with hubs, paging links and a stylesheet: everything optional given. */
export function makePagedMeta(overrides: Partial<FeedMeta> = {}): FeedMeta {
  return makeMeta({ links: makePageLinks(2), paging: makePaging(), hubs: makeHubs(), stylesheet: STYLESHEET, ...overrides });
}

/** The three articles of `makeItems` cut to summaries, as when a feed is over its size budget. */
export function makeSummaryItems(): FeedItem[] {
  return makeItems().map(({ html: _html, ...item }) => item);
}

/** One article of the `tech` section; `slug` picks its id and URL. */
export function makeItem(overrides: Partial<FeedItem> = {}, slug = 'first-article'): FeedItem {
  return {
    id: `tag:example.com,2024:tech/${slug}.md`,
    url: `https://example.com/tech/${slug}`,
    title: 'First article',
    summary: 'What the first article is about.',
    html: '<p>The <em>first</em> article.</p>',
    authors: [{ name: 'Ada Lovelace', email: 'ada@example.com', url: 'https://example.com/people/ada' }],
    tags: ['engines', 'notes'],
    category: { name: 'Tech', slug: 'tech', url: 'https://example.com/tech/' },
    image: 'https://example.com/images/first.jpg',
    publishedAt: new Date('2024-04-10T09:30:00Z'),
    updatedAt: new Date('2024-04-11T08:00:00Z'),
    ...overrides,
  };
}

/** Three articles with distinct ids, dates, authors and tags, newest first. */
export function makeItems(): FeedItem[] {
  return [
    makeItem(
      {
        title: 'Third article',
        summary: 'No author, no tags.',
        html: '<p>Short.</p>',
        authors: [],
        tags: [],
        image: undefined,
        publishedAt: new Date('2024-04-12T10:00:00Z'),
        updatedAt: new Date('2024-04-12T10:00:00Z'),
      },
      'third-article',
    ),
    makeItem(
      {
        title: 'Q&A: engines <and> gears',
        summary: 'Questions & answers about <gears>.',
        html: '<p>Q &amp; A about <code>&lt;gears&gt;</code>.</p>',
        authors: [{ name: 'Charles Babbage' }, { name: 'Ada Lovelace', url: 'https://example.com/people/ada' }],
        tags: ['engines'],
        publishedAt: new Date('2024-04-11T12:00:00Z'),
        updatedAt: new Date('2024-04-11T15:45:00Z'),
      },
      'second-article',
    ),
    makeItem(),
  ];
}

/** Titles that must reach a reader as exactly the second string: [given, shown]. */
export const TRICKY_TITLES: ReadonlyArray<readonly [given: string, shown: string]> = [
  ['Why <script> & "quotes" matter', 'Why <script> & "quotes" matter'],
  ['<b>bold</b> is not markup here', '<b>bold</b> is not markup here'],
  ['AT&amp;T writes its entity literally', 'AT&amp;T writes its entity literally'],
  ['Q&A: Tom & Jerry <3', 'Q&A: Tom & Jerry <3'],
  ['Party time 🎉 at the café', 'Party time 🎉 at the café'],
  ["It's \"double\" and 'single'", "It's \"double\" and 'single'"],
  ['Ends ]]> and again ]]> here', 'Ends ]]> and again ]]> here'],
  ['Control\u0001 character dropped', 'Control character dropped'],
];

/** Characters XML 1.0 cannot carry: a C0 control, U+FFFF and a lone surrogate. */
export const XML_ILLEGAL_SAMPLE = '\u0001\uFFFF\uD800';
