// The OPML writer: its layout, its escapes (text and attributes read back as given), and groups
// without feeds left out.
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { renderOpml, type OpmlList } from '../../src/feed/opml.ts';
import { expectWellFormed } from './helpers.ts';

/** The title's text and each feed outline's attributes, as a strict XML 1.0 parser reads them (attribute whitespace normalised, XML 1.0 §3.3.3). */
function readBack(xml: string): { title: string; feeds: Record<string, string>[] } {
  const feeds: Record<string, string>[] = [];
  let title = '';
  let inTitle = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    inTitle = tag.name === 'title';
    if (tag.name === 'outline' && tag.attributes.type === 'rss') feeds.push(tag.attributes as Record<string, string>);
  });
  parser.on('text', (text) => {
    if (inTitle) title += text;
  });
  parser.on('closetag', () => {
    inTitle = false;
  });
  parser.write(xml).close();
  return { title, feeds };
}

const feed = (name: string) => ({ text: name, xmlUrl: `https://example.com/${name.length}/rss.xml?a=1&b=2`, htmlUrl: `https://example.com/${name.length}/` });

function makeList(overrides: Partial<OpmlList> = {}): OpmlList {
  return { title: 'Example <News> & more', modified: new Date(Date.UTC(2024, 2, 1, 12)), outlines: [{ title: 'Sections', feeds: [feed('Tech'), feed('Q&A "now"\ttab\nline')] }], ...overrides };
}

describe('renderOpml', () => {
  it('writes the head, a group and its feeds, one element per line', () => {
    expect(renderOpml(makeList({ title: 'Example', outlines: [{ title: 'Sections', feeds: [feed('Tech')] }] }))).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<opml version="2.0">',
        '  <head>',
        '    <title>Example</title>',
        '    <dateModified>Fri, 01 Mar 2024 12:00:00 GMT</dateModified>',
        '    <docs>http://opml.org/spec2.opml</docs>',
        '  </head>',
        '  <body>',
        '    <outline text="Sections" title="Sections">',
        '      <outline type="rss" text="Tech" title="Tech" xmlUrl="https://example.com/4/rss.xml?a=1&amp;b=2" htmlUrl="https://example.com/4/"/>',
        '    </outline>',
        '  </body>',
        '</opml>',
        '',
      ].join('\n'),
    );
  });

  it('escapes text and attributes so that a parser reads back exactly what was given', () => {
    const xml = renderOpml(makeList());
    expectWellFormed(xml);
    const { title, feeds } = readBack(xml);
    expect(title).toBe('Example <News> & more');
    expect(feeds.map((outline) => [outline.text, outline.title])).toEqual([['Tech', 'Tech'], ['Q&A "now"\ttab\nline', 'Q&A "now"\ttab\nline']]);
    expect(feeds[0]!.xmlUrl).toBe('https://example.com/4/rss.xml?a=1&b=2');
  });

  it('writes a feed outside any group at the top level, and leaves out a group without feeds', () => {
    const xml = renderOpml(makeList({ outlines: [{ title: 'Empty', feeds: [] }, feed('All')] }));
    expect(xml).not.toContain('Empty');
    expect(xml).toContain('  <body>\n    <outline type="rss" text="All" title="All"');
  });
});
