import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parseFeed, parseJsonFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import { renderJsonFeed } from '../../src/feed/json-feed.ts';
import {
  makeItem,
  makeItems,
  makeMeta,
  makePagedMeta,
  makePageLinks,
  makeSummaryItems,
  STYLESHEET,
  TRICKY_TITLES,
  XML_ILLEGAL_SAMPLE,
} from './fixtures.ts';
import { expectInputUntouched, expectSameBytes } from './helpers.ts';

// The published JSON Feed 1.1 schema (draft-07); provenance in tests/fixtures/schemas/README.md.
const SCHEMA = JSON.parse(readFileSync(new URL('../fixtures/schemas/jsonfeed-1.1.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateJsonFeed = ajv.compile(SCHEMA);

function schemaErrors(value: unknown): string[] {
  return validateJsonFeed(value) ? [] : (validateJsonFeed.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface RenderedItem {
  id: string;
  url: string;
  title: string;
  summary?: string;
  content_html?: string;
  content_text?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors?: Array<Record<string, string>>;
  tags: string[];
}

function render(...args: Parameters<typeof renderJsonFeed>) {
  return JSON.parse(renderJsonFeed(...args)) as Record<string, unknown> & { items: RenderedItem[] };
}

describe('renderJsonFeed', () => {
  it('matches the snapshot of a fixed section', async () => {
    await expect(renderJsonFeed(makeMeta(), makeItems())).toMatchFileSnapshot('__snapshots__/tech.feed.json');
  });

  it('matches the snapshot of a paged, summary-only page with hubs', async () => {
    await expect(renderJsonFeed(makePagedMeta(), makeSummaryItems())).toMatchFileSnapshot('__snapshots__/tech-page-2.feed.json');
  });

  it('conforms to the published JSON Feed 1.1 schema', () => {
    const tricky = TRICKY_TITLES.map(([title], index) => makeItem({ title }, `tricky-${index}`));
    expect(schemaErrors(render(makeMeta(), [...makeItems(), ...tricky]))).toEqual([]);
    expect(schemaErrors(render(makeMeta(), []))).toEqual([]);
    expect(schemaErrors(render(makePagedMeta(), [...makeSummaryItems(), ...makeItems()]))).toEqual([]);
  });

  it.each([
    ['full', makeItems],
    ['summary-only', makeSummaryItems],
  ])('follows the JSON Feed 1.1 rules the schema leaves out, with %s items', (_kind, makeSome) => {
    const feed = render(makeMeta(), makeSome());
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
    expect(feed).not.toHaveProperty('author');
    const ids = feed.items.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of feed.items) {
      expect(item.id).toMatch(/^\S+$/);
      expect(typeof (item.content_html ?? item.content_text)).toBe('string');
      expect(item.date_published).toMatch(RFC3339);
      expect(item.date_modified).toMatch(RFC3339);
      expect(new URL(item.url).href).toBe(item.url);
      expect(item).not.toHaveProperty('author');
      for (const author of item.authors ?? []) expect(Object.keys(author).every((key) => ['name', 'url', 'avatar'].includes(key))).toBe(true);
    }
  });

  it('describes the feed with its page, its own URL and its language', () => {
    expect(render(makeMeta(), [])).toEqual({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Tech | Example News',
      home_page_url: 'https://example.com/tech/',
      feed_url: 'https://example.com/tech/feed.json',
      description: 'Latest Tech articles from Example News',
      language: 'en',
      items: [],
    });
  });

  it('maps an item to id, url, title, summary, content_html, image, dates, authors and tags', () => {
    expect(render(makeMeta(), [makeItem()]).items[0]).toEqual({
      id: 'tag:example.com,2024:tech/first-article.md',
      url: 'https://example.com/tech/first-article',
      title: 'First article',
      summary: 'What the first article is about.',
      content_html: '<p>The <em>first</em> article.</p>',
      image: 'https://example.com/images/first.jpg',
      date_published: '2024-04-10T09:30:00.000Z',
      date_modified: '2024-04-11T08:00:00.000Z',
      authors: [{ name: 'Ada Lovelace', url: 'https://example.com/people/ada' }],
      tags: ['Tech', 'engines', 'notes'],
    });
  });

  it('writes the summary as content_text and as summary, and no content_html, when an item has no html', () => {
    const summary = 'Cut to fit & <short>';
    const feed = render(makeMeta(), [makeItem({ summary, html: undefined })]);
    expect(schemaErrors(feed)).toEqual([]);
    const item = feed.items[0];
    expect(item).not.toHaveProperty('content_html');
    expect(item).toMatchObject({ summary, content_text: summary });
  });

  it('keeps content_html, and writes no content_text, when an item has html', () => {
    const item = render(makeMeta(), [makeItem()]).items[0];
    expect(item).not.toHaveProperty('content_text');
    expect(item?.content_html).toBe('<p>The <em>first</em> article.</p>');
  });

  it('lists every WebSub hub with type "WebSub", "&" in a query included', () => {
    const hubs = ['https://hub.example.com/websub?topic=tech&lease=1', 'https://pubsubhubbub.appspot.com/'];
    const json = renderJsonFeed(makeMeta({ hubs }), []);
    expect(schemaErrors(JSON.parse(json))).toEqual([]);
    const { format, feed } = parseFeed(JSON.parse(json));
    expect(format).toBe('json');
    expect(format === 'json' && feed.hubs).toEqual([
      { type: 'WebSub', url: hubs[0] },
      { type: 'WebSub', url: hubs[1] },
    ]);
  });

  it('points next_url at the next JSON page, the only paging link JSON Feed has', () => {
    const feed = render(makePagedMeta(), []);
    expect(feed.next_url).toBe(makePageLinks(3).json);
    expect(feed.feed_url).toBe(makePageLinks(2).json);
    expect(Object.keys(feed).filter((key) => /first|last|prev/.test(key))).toEqual([]);
  });

  it('writes no next_url on the last page or in an unpaged feed, and no hubs when there are none', () => {
    const last = render(makeMeta({ paging: { first: makePageLinks(1), previous: makePageLinks(3), last: makePageLinks(4) } }), []);
    expect(last).not.toHaveProperty('next_url');
    const unpaged = render(makeMeta(), []);
    expect(unpaged).not.toHaveProperty('next_url');
    expect(unpaged).not.toHaveProperty('hubs');
  });

  it('ignores the stylesheet, which only the XML formats can name', () => {
    expect(renderJsonFeed(makeMeta({ stylesheet: STYLESHEET }), makeItems())).toBe(renderJsonFeed(makeMeta(), makeItems()));
  });

  it('puts the section first among the tags and lists each tag once', () => {
    const item = makeItem({ tags: ['Tech', 'b', 'a', 'b'] });
    expect(render(makeMeta(), [item]).items[0]?.tags).toEqual(['Tech', 'b', 'a']);
  });

  it.each(TRICKY_TITLES)('keeps the title %j as exactly its text', (given, shown) => {
    const feed = parseJsonFeed(JSON.parse(renderJsonFeed(makeMeta(), [makeItem({ title: given })])));
    expect(feed.items?.[0]?.title).toBe(shown);
  });

  it('keeps HTML content as it is, "]]>" included', () => {
    expect(render(makeMeta(), [makeItem({ html: '<p>a ]]> b ]]> c</p>' })]).items[0]?.content_html).toBe('<p>a ]]> b ]]> c</p>');
  });

  it('leaves out empty summaries, missing images and absent authors', () => {
    const item = render(makeMeta(), [makeItem({ summary: '', image: undefined, authors: [] })]).items[0];
    expect(item).not.toHaveProperty('summary');
    expect(item).not.toHaveProperty('image');
    expect(item).not.toHaveProperty('authors');
  });

  it('drops the characters the XML formats cannot carry, so all formats agree', () => {
    const item = render(makeMeta(), [makeItem({ title: `Title${XML_ILLEGAL_SAMPLE}`, authors: [{ name: `Ann${XML_ILLEGAL_SAMPLE}` }] })]).items[0];
    expect(item?.title).toBe('Title');
    expect(item?.authors).toEqual([{ name: 'Ann' }]);
  });

  it('renders identical bytes for identical input', () => {
    expectSameBytes(renderJsonFeed);
  });

  it('does not mutate its input', () => {
    expectInputUntouched(renderJsonFeed);
  });
});
