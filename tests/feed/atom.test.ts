import { parseAtomFeed, parseFeed } from 'feedsmith';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAtom } from '../../src/feed/atom.ts';
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

function firstEntry(xml: string) {
  const entry = parseAtomFeed(xml).entries?.[0];
  if (!entry) throw new Error('no entry read back');
  return entry;
}

describe('renderAtom', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('matches the snapshot of a fixed section', async () => {
    await expect(renderAtom(makeMeta(), makeItems())).toMatchFileSnapshot('__snapshots__/tech.atom.xml');
  });

  it('matches the snapshot of a paged, summary-only page with hubs and a stylesheet', async () => {
    await expect(renderAtom(makePagedMeta(), makeSummaryItems())).toMatchFileSnapshot('__snapshots__/tech-page-2.atom.xml');
  });

  it('writes a well-formed document', () => {
    expectWellFormed(renderAtom(makeMeta(), makeItems()));
    expectWellFormed(renderAtom(makePagedMeta(), makeSummaryItems()));
  });

  it.each(TRICKY_TITLES)('reads back the title %j as exactly its text', (given, shown) => {
    const xml = renderAtom(makeMeta(), [makeItem({ title: given })]);
    expectWellFormed(xml);
    expect(firstEntry(xml).title).toEqual({ value: shown, type: 'text' });
  });

  it('writes entry titles as type="text", not the type="html" CDATA of the feed package', () => {
    const xml = renderAtom(makeMeta(), [makeItem({ title: 'Q&A <now>' })]);
    expect(xml).toContain('<title type="text">Q&#x26;A &#x3C;now&#x3E;</title>');
    expect(xml).not.toContain('type="html"><![CDATA[Q');
  });

  it('keeps feed-level text exact, a literal "&amp;" included', () => {
    const feed = parseAtomFeed(renderAtom(makeMeta({ title: 'AT&amp;T <news>', description: 'Tom & Jerry' }), []));
    expect(feed.title).toEqual({ value: 'AT&amp;T <news>' });
    expect(feed.subtitle).toEqual({ value: 'Tom & Jerry' });
  });

  it('keeps the document well-formed and the label exact for a section named "C++ & <Tech>"', () => {
    const category = { name: 'C++ & <Tech> "quoted"', slug: 'c-tech', url: 'https://example.com/c-tech/?a=1&b=2' };
    const xml = renderAtom(makeMeta(), [makeItem({ category, tags: ['a<b', 'x & y', 'a<b'] })]);
    expectWellFormed(xml);
    expect(firstEntry(xml).categories).toEqual([
      { term: 'c-tech', scheme: 'https://example.com/c-tech/?a=1&b=2', label: 'C++ & <Tech> "quoted"' },
      { term: 'a<b' },
      { term: 'x & y' },
    ]);
  });

  it('keeps a self link in an entry body as content: the feed\'s links are its own', () => {
    const html = '<p><link rel="self" href="https://example.com/x"/></p>';
    const hubs = ['https://pubsubhubbub.appspot.com/'];
    const xml = renderAtom(makeMeta({ hubs }), [makeItem({ html }), makeItem({ html }, 'second')]);
    expectWellFormed(xml);
    expect(firstEntry(xml).content).toEqual({ value: html, type: 'html' });
    expect(parseAtomFeed(xml).links).toEqual([
      { href: 'https://example.com/tech/', rel: 'alternate' },
      { href: 'https://example.com/tech/atom.xml', rel: 'self' },
      { href: hubs[0], rel: 'hub' },
    ]);
  });

  it('keeps HTML content with two "]]>" well-formed and equivalent', () => {
    const xml = renderAtom(makeMeta(), [makeItem({ html: '<p>a ]]> b ]]> c</p>' })]);
    expectWellFormed(xml);
    expect(firstEntry(xml).content).toEqual({ value: '<p>a ]]&gt; b ]]&gt; c</p>', type: 'html' });
  });

  it('writes the summary as escaped HTML that displays exactly its text', () => {
    const summary = 'Less <than> & more ]]> than "that"';
    const entry = firstEntry(renderAtom(makeMeta(), [makeItem({ summary })]));
    expect(entry.summary?.type).toBe('html');
    expect(htmlText(entry.summary?.value ?? '')).toBe(summary);
  });

  it('identifies the feed by meta.id and links it to its page and to itself at the served URL', () => {
    const feed = parseAtomFeed(renderAtom(makeMeta(), []));
    expect(feed.id).toBe('tag:example.com,2026:feed/tech');
    expect(feed.links).toEqual([
      { href: 'https://example.com/tech/', rel: 'alternate' },
      { href: 'https://example.com/tech/atom.xml', rel: 'self' },
    ]);
  });

  it('leaves out <content> and keeps the HTML summary when an item has no html', () => {
    const summary = 'Cut to fit & <short>';
    const xml = renderAtom(makeMeta(), [makeItem({ summary, html: undefined })]);
    expectWellFormed(xml);
    expect(xml).not.toContain('<content');
    const entry = firstEntry(xml);
    expect(entry.content).toBeUndefined();
    expect(entry.summary?.type).toBe('html');
    expect(htmlText(entry.summary?.value ?? '')).toBe(summary);
  });

  it('links every WebSub hub with rel="hub" after the self link, "&" in a query included', () => {
    const hubs = ['https://hub.example.com/websub?topic=tech&lease=1', 'https://pubsubhubbub.appspot.com/'];
    const xml = renderAtom(makeMeta({ hubs }), []);
    expectWellFormed(xml);
    expect(xml).toContain('<link rel="hub" href="https://hub.example.com/websub?topic=tech&#x26;lease=1"/>');
    const { format, feed } = parseFeed(xml);
    expect(format).toBe('atom');
    expect(format === 'atom' && feed.links).toEqual([
      { href: 'https://example.com/tech/', rel: 'alternate' },
      { href: 'https://example.com/tech/atom.xml', rel: 'self' },
      { href: hubs[0], rel: 'hub' },
      { href: hubs[1], rel: 'hub' },
    ]);
  });

  it('writes the RFC 5005 paging links to the Atom pages, the self link being the page itself', () => {
    const { format, feed } = parseFeed(renderAtom(makePagedMeta({ hubs: [] }), makeItems()));
    expect(format).toBe('atom');
    expect(format === 'atom' && feed.links).toEqual([
      { href: 'https://example.com/tech/', rel: 'alternate' },
      { href: makePageLinks(2).atom, rel: 'self' },
      { href: makePageLinks(1).atom, rel: 'first' },
      { href: makePageLinks(1).atom, rel: 'previous' },
      { href: makePageLinks(3).atom, rel: 'next' },
      { href: makePageLinks(4).atom, rel: 'last' },
    ]);
  });

  it('writes only the paging links given: the first page has no previous', () => {
    const meta = makeMeta({ paging: { first: makePageLinks(1), next: makePageLinks(2), last: makePageLinks(4) } });
    const links = parseAtomFeed(renderAtom(meta, [])).links ?? [];
    expect(links.map((link) => link.rel)).toEqual(['alternate', 'self', 'first', 'next', 'last']);
  });

  it('starts with the XML declaration and then one text/css xml-stylesheet instruction', () => {
    const xml = renderAtom(makeMeta({ stylesheet: STYLESHEET }), makeItems());
    expectWellFormed(xml);
    expect(xml).toMatch(
      /^<\?xml version="1\.0" encoding="utf-8"\?>\n<\?xml-stylesheet type="text\/css" href="https:\/\/example\.com\/feed\.css\?v=2&#x26;theme=light"\?>\n<feed /,
    );
    expect(processingInstructions(xml)).toEqual([
      { target: 'xml-stylesheet', body: 'type="text/css" href="https://example.com/feed.css?v=2&#x26;theme=light"' },
    ]);
  });

  it('writes no xml-stylesheet instruction when no stylesheet is given', () => {
    const xml = renderAtom(makeMeta(), makeItems());
    expect(processingInstructions(xml)).toEqual([]);
    expect(xml).not.toContain('xml-stylesheet');
  });

  it('uses the item id as entry id and the item URL as its link', () => {
    const entry = firstEntry(renderAtom(makeMeta(), [makeItem()]));
    expect(entry.id).toBe('tag:example.com,2024:tech/first-article.md');
    // The item's image follows as its enclosure link (tests/feed/media.test.ts).
    expect(entry.links).toEqual([{ href: 'https://example.com/tech/first-article' }, { href: 'https://example.com/images/first.jpg', rel: 'enclosure' }]);
  });

  it('dates entries by publication and update and the feed by meta.updated, never by the clock', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2031-01-01T00:00:00Z'));
    const first = renderAtom(makeMeta(), [makeItem()]);
    vi.setSystemTime(new Date('2032-06-01T00:00:00Z'));
    expect(renderAtom(makeMeta(), [makeItem()])).toBe(first);
    const feed = parseAtomFeed(first);
    expect(feed.updated).toBe('2024-04-12T10:00:00.000Z');
    expect(feed.entries?.[0]).toMatchObject({ published: '2024-04-10T09:30:00.000Z', updated: '2024-04-11T08:00:00.000Z' });
  });

  it('gives the feed an author, so entries without one stay valid (RFC 4287 §4.1.1)', () => {
    const feed = parseAtomFeed(renderAtom(makeMeta(), [makeItem({ authors: [] })]));
    expect(feed.authors).toEqual([{ name: 'Tech | Example News' }]);
    expect(feed.entries?.[0]?.authors).toBeUndefined();
  });

  it('writes entry authors with name, email and uri', () => {
    const authors = [{ name: 'Ann & <Bo>', email: 'ann@example.com', url: 'https://example.com/ann' }, { name: 'Cy' }];
    expect(firstEntry(renderAtom(makeMeta(), [makeItem({ authors })])).authors).toEqual([
      { name: 'Ann & <Bo>', email: 'ann@example.com', uri: 'https://example.com/ann' },
      { name: 'Cy' },
    ]);
  });

  it('declares the feed language with xml:lang', () => {
    expect(renderAtom(makeMeta({ language: 'en-GB' }), [])).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">');
  });

  it('renders a valid feed with no entries', () => {
    const xml = renderAtom(makeMeta(), []);
    expectWellFormed(xml);
    expect(parseAtomFeed(xml).entries).toBeUndefined();
  });

  it('renders identical bytes for identical input', () => {
    expectSameBytes(renderAtom);
  });

  it('does not mutate its input', () => {
    expectInputUntouched(renderAtom);
  });

  it('drops characters XML cannot carry from every text it writes', () => {
    const dirty = (text: string) => `${text}${XML_ILLEGAL_SAMPLE}`;
    const xml = renderAtom(makeMeta({ title: dirty('Feed'), description: dirty('About') }), [
      makeItem({
        title: dirty('Title'),
        summary: dirty('Summary'),
        html: dirty('<p>Body</p>'),
        authors: [{ name: dirty('Ann') }],
        tags: [dirty('tag')],
        category: { name: dirty('Tech'), slug: 'tech', url: 'https://example.com/tech/' },
      }),
    ]);
    expectWellFormed(xml);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/u);
    expect(firstEntry(xml)).toMatchObject({
      title: { value: 'Title' },
      authors: [{ name: 'Ann' }],
      categories: [{ term: 'tech', label: 'Tech' }, { term: 'tag' }],
    });
  });
});
