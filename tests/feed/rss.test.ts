import { parseFeed, parseRssFeed } from 'feedsmith';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderRss } from '../../src/feed/rss.ts';
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
import { expectInputUntouched, expectSameBytes, expectWellFormed, htmlText, processingInstructions } from './helpers.ts';

function firstItem(xml: string) {
  const item = parseRssFeed(xml).items?.[0];
  if (!item) throw new Error('no item read back');
  return item;
}

describe('renderRss', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('matches the snapshot of a fixed section', async () => {
    await expect(renderRss(makeMeta(), makeItems())).toMatchFileSnapshot('__snapshots__/tech.rss.xml');
  });

  it('matches the snapshot of a paged, summary-only page with hubs and a stylesheet', async () => {
    await expect(renderRss(makePagedMeta(), makeSummaryItems())).toMatchFileSnapshot('__snapshots__/tech-page-2.rss.xml');
  });

  it('writes a well-formed document with every namespace prefix declared', () => {
    expectWellFormed(renderRss(makeMeta(), makeItems()));
    expectWellFormed(renderRss(makePagedMeta(), makeSummaryItems()));
  });

  it.each(TRICKY_TITLES)('reads back the title %j as exactly its text', (given, shown) => {
    const xml = renderRss(makeMeta(), [makeItem({ title: given })]);
    expectWellFormed(xml);
    expect(firstItem(xml).title).toBe(shown);
  });

  it('writes titles as plain text with hexadecimal references, not as CDATA or escaped HTML', () => {
    const xml = renderRss(makeMeta(), [makeItem({ title: 'Why <script> & "quotes" matter' })]);
    expect(xml).toContain('<title>Why &#x3C;script&#x3E; &#x26; "quotes" matter</title>');
  });

  it('keeps a literal "&amp;" in channel text instead of turning it into "&"', () => {
    const xml = renderRss(makeMeta({ title: 'AT&amp;T news', description: 'All about AT&amp;T' }), []);
    const channel = parseRssFeed(xml);
    expect(channel.title).toBe('AT&amp;T news');
    expect(channel.description).toBe('All about AT&amp;T');
  });

  it('keeps HTML content with two "]]>" well-formed and equivalent', () => {
    const xml = renderRss(makeMeta(), [makeItem({ html: '<p>a ]]> b ]]> c</p>' })]);
    expectWellFormed(xml);
    expect(firstItem(xml).content?.encoded).toBe('<p>a ]]&gt; b ]]&gt; c</p>');
  });

  it('writes the summary as HTML in description and the body in content:encoded', () => {
    const summary = 'Less <than> & more ]]> than "that"';
    const item = firstItem(renderRss(makeMeta(), [makeItem({ summary })]));
    expect(htmlText(item.description ?? '')).toBe(summary);
    expect(item.content?.encoded).toBe('<p>The <em>first</em> article.</p>');
  });

  it('uses the item id as a guid that is not a permalink, and the item URL as link', () => {
    const item = firstItem(renderRss(makeMeta(), [makeItem()]));
    expect(item.guid).toEqual({ value: 'tag:example.com,2024:tech/first-article.md', isPermaLink: false });
    expect(item.link).toBe('https://example.com/tech/first-article');
  });

  it('dates items by publication and the channel by meta.updated, never by the clock', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-01-01T00:00:00Z'));
    const first = renderRss(makeMeta(), [makeItem()]);
    vi.setSystemTime(new Date('2032-06-01T00:00:00Z'));
    const second = renderRss(makeMeta(), [makeItem()]);
    expect(second).toBe(first);
    const channel = parseRssFeed(first);
    expect(channel.lastBuildDate).toBe('Fri, 12 Apr 2024 10:00:00 GMT');
    expect(channel.items?.[0]?.pubDate).toBe('Wed, 10 Apr 2024 09:30:00 GMT');
  });

  it('links the channel to its page and to itself at the served URL', () => {
    const channel = parseRssFeed(renderRss(makeMeta(), []));
    expect(channel.link).toBe('https://example.com/tech/');
    expect(channel.atom?.links).toEqual([
      { href: 'https://example.com/tech/rss.xml', rel: 'self', type: 'application/rss+xml' },
    ]);
  });

  it('writes title, link, description, language, lastBuildDate and docs on the channel', () => {
    const channel = parseRssFeed(renderRss(makeMeta(), []));
    expect(channel).toMatchObject({
      title: 'Tech | Example News',
      description: 'Latest Tech articles from Example News',
      language: 'en',
      docs: 'https://www.rssboard.org/rss-specification',
    });
  });

  it('names every author in dc:creator and never in the email-only <author>', () => {
    const xml = renderRss(makeMeta(), [makeItem({ authors: [{ name: 'Ann & <Bo>' }, { name: 'Cy', email: 'cy@example.com' }] })]);
    expect(firstItem(xml).dc?.creators).toEqual(['Ann & <Bo>', 'Cy']);
    expect(xml).toContain('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"');
    expect(xml).not.toContain('<author>');
  });

  it('declares the Dublin Core namespace even when no item has content', () => {
    const xml = renderRss(makeMeta(), [makeItem({ html: '' })]);
    expectWellFormed(xml);
    expect(xml).toContain('<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ada Lovelace</dc:creator>');
    expect(firstItem(xml).dc?.creators).toEqual(['Ada Lovelace']);
  });

  it('leaves out content:encoded and keeps the summary as description when an item has no html', () => {
    const summary = 'Cut to fit & <short>';
    const xml = renderRss(makeMeta(), [makeItem({ summary, html: undefined })]);
    expectWellFormed(xml);
    expect(xml).not.toContain('content:encoded');
    const item = firstItem(xml);
    expect(item.content).toBeUndefined();
    expect(htmlText(item.description ?? '')).toBe(summary);
  });

  it('declares the Dublin Core namespace when every item is cut to its summary', () => {
    const xml = renderRss(makeMeta(), makeSummaryItems());
    expectWellFormed(xml);
    expect(parseRssFeed(xml).items?.map((item) => item.dc?.creators)).toEqual([
      undefined,
      ['Charles Babbage', 'Ada Lovelace'],
      ['Ada Lovelace'],
    ]);
  });

  it('links every WebSub hub as an atom:link rel="hub", "&" in a query included', () => {
    const hubs = ['https://hub.example.com/websub?topic=tech&lease=1', 'https://pubsubhubbub.appspot.com/'];
    const xml = renderRss(makeMeta({ hubs }), []);
    expectWellFormed(xml);
    expect(xml).toContain('<atom:link href="https://hub.example.com/websub?topic=tech&#x26;lease=1" rel="hub"/>');
    const { format, feed } = parseFeed(xml);
    expect(format).toBe('rss');
    expect(format === 'rss' && feed.atom?.links).toEqual([
      { href: 'https://example.com/tech/rss.xml', rel: 'self', type: 'application/rss+xml' },
      { href: hubs[0], rel: 'hub' },
      { href: hubs[1], rel: 'hub' },
    ]);
  });

  it('writes the RFC 5005 paging links as atom:link elements to the RSS pages', () => {
    const meta = makePagedMeta({ hubs: [] });
    const { format, feed } = parseFeed(renderRss(meta, makeItems()));
    expect(format).toBe('rss');
    expect(format === 'rss' && feed.atom?.links).toEqual([
      { href: makePageLinks(2).rss, rel: 'self', type: 'application/rss+xml' },
      { href: makePageLinks(1).rss, rel: 'first' },
      { href: makePageLinks(1).rss, rel: 'previous' },
      { href: makePageLinks(3).rss, rel: 'next' },
      { href: makePageLinks(4).rss, rel: 'last' },
    ]);
  });

  it('writes only the paging links given: the last page has no next', () => {
    const meta = makeMeta({ paging: { first: makePageLinks(1), previous: makePageLinks(3), last: makePageLinks(4) } });
    const links = parseRssFeed(renderRss(meta, [])).atom?.links ?? [];
    expect(links.map((link) => link.rel)).toEqual(['self', 'first', 'previous', 'last']);
  });

  it('starts with the XML declaration and then one text/css xml-stylesheet instruction', () => {
    const xml = renderRss(makeMeta({ stylesheet: STYLESHEET }), makeItems());
    expectWellFormed(xml);
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?>\n<\?xml-stylesheet type="text\/css" href="https:\/\/example\.com\/feed\.css\?v=2&#x26;theme=light"\?>\n<rss /,
    );
    expect(processingInstructions(xml)).toEqual([
      { target: 'xml-stylesheet', body: 'type="text/css" href="https://example.com/feed.css?v=2&#x26;theme=light"' },
    ]);
  });

  it('writes no xml-stylesheet instruction when no stylesheet is given', () => {
    const xml = renderRss(makeMeta(), makeItems());
    expect(processingInstructions(xml)).toEqual([]);
    expect(xml).not.toContain('xml-stylesheet');
  });

  it('refuses hub, paging and stylesheet URLs that are not absolute', () => {
    expect(() => renderRss(makeMeta({ hubs: ['/hub'] }), [])).toThrow(/meta\.hubs\[0\]/);
    expect(() => renderRss(makeMeta({ stylesheet: 'feed.css' }), [])).toThrow(/meta\.stylesheet/);
    const paging = { first: makePageLinks(1), last: { ...makePageLinks(4), rss: '?page=4' } };
    expect(() => renderRss(makeMeta({ paging }), [])).toThrow(/meta\.paging\.last\.rss/);
  });

  it('lists the section with its page as domain, then the tags without repeats', () => {
    const category = { name: 'C++ & <Tech>', slug: 'c-tech', url: 'https://example.com/c-tech/?a=1&b=2' };
    const xml = renderRss(makeMeta(), [makeItem({ category, tags: ['a<b', 'x & y', 'a<b', 'C++ & <Tech>'] })]);
    expectWellFormed(xml);
    expect(firstItem(xml).categories).toEqual([
      { name: 'C++ & <Tech>', domain: 'https://example.com/c-tech/?a=1&b=2' },
      { name: 'a<b' },
      { name: 'x & y' },
    ]);
  });

  it('refuses an empty description, which RSS 2.0 requires', () => {
    expect(() => renderRss(makeMeta({ description: ' ' }), [])).toThrow(/description/);
  });

  it('renders a valid channel with no items', () => {
    const xml = renderRss(makeMeta(), []);
    expectWellFormed(xml);
    expect(parseRssFeed(xml).items).toBeUndefined();
  });

  it('renders identical bytes for identical input', () => {
    expectSameBytes(renderRss);
  });

  it('does not mutate its input', () => {
    expectInputUntouched(renderRss);
  });

  it('drops characters XML cannot carry from every text it writes', () => {
    const dirty = (text: string) => `${text}${XML_ILLEGAL_SAMPLE}`;
    const xml = renderRss(makeMeta({ title: dirty('Feed'), description: dirty('About') }), [
      makeItem({
        title: dirty('Title'),
        summary: dirty('Summary'),
        html: dirty('<p>Body</p>'),
        authors: [{ name: dirty('Ann') }],
        tags: [dirty('tag')],
      }),
    ]);
    expectWellFormed(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u);
    expect(firstItem(xml)).toMatchObject({ title: 'Title', dc: { creators: ['Ann'] }, categories: [{ name: 'Tech' }, { name: 'tag' }] });
  });
});
