// A document assembled from its frame and its items' fragments is byte for byte the document
// `feed` writes in one pass for the same input (renderRssDocument & co., the renderers as they
// were before they assembled fragments themselves): checked on generated hostile input and on the
// fixtures and committed snapshots.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderAtom, renderAtomDocument } from '../../src/feed/atom.ts';
import { cutFragment, cutFrame } from '../../src/feed/frame.ts';
import {
  assembleFeed,
  declaresDc,
  renderFeedFrame,
  renderItemFragment,
  type FragmentFormat,
} from '../../src/feed/fragments.ts';
import { renderJsonFeed, renderJsonFeedDocument } from '../../src/feed/json-feed.ts';
import { renderRss, renderRssDocument } from '../../src/feed/rss.ts';
import type { FeedItem, FeedLinks, FeedMeta } from '../../src/feed/types.ts';
import {
  makeItem,
  makeItems,
  makeMeta,
  makePagedMeta,
  makeSummaryItems,
  TRICKY_TITLES,
  XML_ILLEGAL_SAMPLE,
} from './fixtures.ts';
import { deepFreeze, expectWellFormed } from './helpers.ts';

const FORMATS = ['rss', 'atom', 'json'] as const;

type Render = (meta: FeedMeta, items: FeedItem[]) => string;

/** The one-pass documents the assembled ones must equal. */
const DOCUMENT: Record<(typeof FORMATS)[number], Render> = {
  rss: renderRssDocument,
  atom: renderAtomDocument,
  json: renderJsonFeedDocument,
};

/** The renderers the rest of the code calls, which assemble their documents too. */
const RENDERER: Record<(typeof FORMATS)[number], Render> = { rss: renderRss, atom: renderAtom, json: renderJsonFeed };

/** The document of `format` put together the way a cache of item fragments does. */
function assemble(format: FragmentFormat, meta: FeedMeta, items: FeedItem[]): string {
  const dcDeclared = declaresDc(items);
  const frame = renderFeedFrame(format, meta, dcDeclared);
  return assembleFeed(frame, items.map((item) => renderItemFragment(format, item, dcDeclared)));
}

/** The document `render` writes, or the message it throws: both paths must agree on either. */
function outcome(render: () => string): { document: string } | { error: string } {
  try {
    return { document: render() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

// Text the renderers must get through unchanged or drop alike: markup and CDATA characters,
// references, CR and line breaks, characters XML cannot carry (C0 controls, the renderers' own
// placeholder and title-mark characters, lone surrogates, U+FFFE/U+FFFF), emoji, and the very
// strings the fragment code cuts at, and an Atom self link (the Atom renderer looks for the
// feed's own before the first entry).
const HOSTILE = [
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  ']]',
  '&amp;',
  '&#x26;',
  '&lt;b&gt;',
  '\r',
  '\r\n',
  '\n',
  '\t',
  ' ',
  '🎉',
  'café',
  '\u0000',
  '\u0001',
  '\u0002',
  '\u0004',
  '\u0007',
  '\u000E',
  '\u001F',
  '\uD800',
  '\uDFFF',
  '\uFFFE',
  '\uFFFF',
  '\u2028',
  '<item>',
  '</item>',
  '<entry>',
  '</entry>',
  '\n        <item>',
  '</channel>',
  '<![CDATA[',
  '<title type="html"><![CDATA[\u000E0\u000E]]></title>',
  '"items": [',
  '<link rel="self" href="https://example.com/x"/>',
  XML_ILLEGAL_SAMPLE,
  ...TRICKY_TITLES.map(([given]) => given),
];

const text = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

/** Absolute URLs of the shapes the renderers see: web URLs with queries and fragments, and `tag:` ids with any text. */
const url = fc
  .oneof(
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    text.map((rest) => `tag:example.com,2024:${rest}`),
    text.map((rest) => `https://example.com/${rest}`),
  )
  .filter((value) => URL.canParse(value));

/** Optional links (author pages, images): a URL, or text that is none and gets dropped. */
const optionalLink = fc.option(fc.oneof(url, text), { nil: undefined });

const date = fc.date({ noInvalidDate: true, min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') });

const item: fc.Arbitrary<FeedItem> = fc.record(
  {
    id: url,
    url,
    title: text,
    summary: text,
    // Absent (summaries only), empty, or any text.
    html: fc.oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: text, weight: 3 }),
    authors: fc.array(
      fc.record({ name: text, email: fc.option(text, { nil: undefined }), url: optionalLink }, { requiredKeys: ['name'] }),
      { maxLength: 3 },
    ),
    tags: fc.array(text, { maxLength: 4 }),
    category: fc.record({ name: text, slug: text, url }),
    image: optionalLink,
    attribution: fc.record(
      { source: text, sourceUrl: optionalLink, sourceFeed: optionalLink, license: text, licenseUrl: optionalLink, canonical: optionalLink },
      { requiredKeys: [] },
    ),
    publishedAt: date,
    updatedAt: date,
  },
  { requiredKeys: ['id', 'url', 'title', 'summary', 'authors', 'tags', 'category', 'publishedAt', 'updatedAt'] },
);

const links: fc.Arbitrary<FeedLinks> = fc.record({ rss: url, atom: url, json: url });

const meta: fc.Arbitrary<FeedMeta> = fc.record(
  {
    id: url,
    title: text,
    // RSS 2.0 requires a description; an empty one is refused (checked below).
    description: fc.tuple(text, text).map(([before, after]) => `${before}d${after}`),
    homeUrl: url,
    links,
    paging: fc.record(
      { first: links, last: links, previous: links, next: links },
      { requiredKeys: ['first', 'last'] },
    ),
    hubs: fc.array(url, { maxLength: 3 }),
    stylesheet: url,
    language: text,
    updated: date,
  },
  { requiredKeys: ['id', 'title', 'description', 'homeUrl', 'links', 'hubs', 'language', 'updated'] },
);

describe('a document assembled from frame and item fragments', () => {
  it('is the one-pass document, byte for byte, for any meta and items, and so is the renderers\' output', () => {
    fc.assert(
      fc.property(meta, fc.array(item, { maxLength: 5 }), (meta, items) => {
        for (const format of FORMATS) {
          const expected = outcome(() => DOCUMENT[format](meta, items));
          expect(outcome(() => assemble(format, meta, items)), format).toEqual(expected);
          expect(outcome(() => RENDERER[format](meta, items)), format).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('is the committed snapshot of each format, byte for byte, and so is the one-pass document', () => {
    const snapshot = (name: string) => readFileSync(new URL(`__snapshots__/${name}`, import.meta.url), 'utf8');
    const files = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;
    for (const format of FORMATS) {
      expect(assemble(format, makeMeta(), makeItems())).toBe(snapshot(`tech.${files[format]}`));
      expect(assemble(format, makePagedMeta(), makeSummaryItems())).toBe(snapshot(`tech-page-2.${files[format]}`));
      expect(DOCUMENT[format](makeMeta(), makeItems())).toBe(snapshot(`tech.${files[format]}`));
      expect(DOCUMENT[format](makePagedMeta(), makeSummaryItems())).toBe(snapshot(`tech-page-2.${files[format]}`));
    }
  });

  it.each(FORMATS)('%s: with no items is the frame\'s empty document', (format) => {
    for (const meta of [makeMeta(), makePagedMeta()]) {
      const frame = renderFeedFrame(format, meta, false);
      expect(assembleFeed(frame, [])).toBe(frame.empty);
      expect(assemble(format, meta, [])).toBe(DOCUMENT[format](meta, []));
    }
  });

  it('json: with no items writes "items": [], with some the items at depth 2', () => {
    const empty = assemble('json', makeMeta(), []);
    expect(empty.endsWith('  "items": []\n}')).toBe(true);
    const frame = renderFeedFrame('json', makeMeta(), false);
    expect(frame.head.endsWith('  "items": [\n    ')).toBe(true);
    expect(frame.separator).toBe(',\n    ');
    expect(frame.tail).toBe('\n  ]\n}');
    expect(renderItemFragment('json', makeItem(), false)).toMatch(/^\{\n {6}"id": "tag:example\.com,2024:tech\/first-article\.md",\n/);
  });

  it.each(FORMATS)('%s: with one item is the renderer\'s document', (format) => {
    for (const one of [makeItem(), makeItem({ html: undefined }), makeItem({ html: '' }), makeItem({ authors: [], tags: [] })]) {
      expect(assemble(format, makeMeta(), [one])).toBe(DOCUMENT[format](makeMeta(), [one]));
    }
  });

  it.each(FORMATS)('%s: cut to summaries, with hubs, paging links and a stylesheet, is the renderer\'s document', (format) => {
    expect(assemble(format, makePagedMeta(), makeSummaryItems())).toBe(DOCUMENT[format](makePagedMeta(), makeSummaryItems()));
    expect(assemble(format, makePagedMeta(), makeItems())).toBe(DOCUMENT[format](makePagedMeta(), makeItems()));
  });

  it.each(FORMATS)('%s: with the tricky titles and illegal characters of the renderer tests is the renderer\'s document', (format) => {
    const dirty = (value: string) => `${value}${XML_ILLEGAL_SAMPLE}`;
    const items = [
      ...TRICKY_TITLES.map(([title], index) => makeItem({ title, tags: ['a<b', 'x & y', 'a<b'] }, `tricky-${index}`)),
      makeItem({ html: '<p>a ]]> b ]]> c</p>', summary: 'Less <than> & more ]]> than "that"\r\n' }, 'cdata'),
      makeItem(
        {
          title: dirty('Title'),
          summary: dirty('Summary'),
          html: dirty('<p>Body</p>'),
          authors: [{ name: dirty('Ann & <Bo>'), email: 'ann@example.com' }, { name: ' ' }],
          category: { name: dirty('C++ & <Tech> "quoted"'), slug: 'c-tech', url: 'https://example.com/c-tech/?a=1&b=2' },
        },
        'dirty',
      ),
    ];
    const meta = makePagedMeta({ title: dirty('AT&amp;T <news>'), description: 'Tom & Jerry\r', language: 'en-GB' });
    const document = assemble(format, meta, items);
    expect(document).toBe(DOCUMENT[format](meta, items));
    if (format !== 'json') expectWellFormed(document);
  });
});

describe('renderItemFragment', () => {
  it.each(FORMATS)('%s: writes an item the same wherever it stands, and the document holds it verbatim', (format) => {
    const items = makeItems();
    const dcDeclared = declaresDc(items);
    const document = DOCUMENT[format](makeMeta(), items);
    for (const [index, each] of items.entries()) {
      const fragment = renderItemFragment(format, each, dcDeclared);
      expect(document).toContain(fragment);
      // The same item first, last, or alone among others: the same fragment in the document.
      const moved = [each, ...items.filter((_, other) => other !== index)];
      expect(DOCUMENT[format](makeMeta(), moved)).toContain(fragment);
    }
  });

  it('atom: writes the entry title as text, with no trace of the slot index the renderer places titles by', () => {
    const fragment = renderItemFragment('atom', makeItem({ title: 'Q&A <now>' }), false);
    expect(fragment).toMatch(/^<entry>\n {8}<title type="text">Q&#x26;A &#x3C;now&#x3E;<\/title>\n/);
    expect(fragment.endsWith('\n    </entry>')).toBe(true);
    expect(fragment).not.toMatch(/\u000E|<title type="html">/);
  });

  it('rss: repeats the Dublin Core declaration on dc:creator only when the document does not declare it', () => {
    // Without an image, so that dc:creator is the last element (Media RSS elements follow it).
    const ada = makeItem({ image: undefined });
    expect(renderItemFragment('rss', ada, true)).toContain('\n            <dc:creator>Ada Lovelace</dc:creator>\n        </item>');
    expect(renderItemFragment('rss', ada, false)).toContain(
      '\n            <dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Ada Lovelace</dc:creator>\n        </item>',
    );
    expect(renderItemFragment('rss', ada, true)).toMatch(/^<item>\n {12}<title>First article<\/title>\n/);
  });

  it('rss: writes content:encoded for a body, none for an empty or absent one', () => {
    expect(renderItemFragment('rss', makeItem(), true)).toContain('<content:encoded><![CDATA[<p>The <em>first</em> article.</p>]]>');
    expect(renderItemFragment('rss', makeItem({ html: '' }), false)).not.toContain('content:encoded');
    expect(renderItemFragment('rss', makeItem({ html: undefined }), false)).not.toContain('content:encoded');
  });

  it('refuses an item whose id or URL is not absolute, as the renderers do', () => {
    for (const format of FORMATS) {
      expect(() => renderItemFragment(format, makeItem({ url: '/tech/first' }), true)).toThrow(/item\.url/);
      expect(() => renderItemFragment(format, makeItem({ id: 'first' }), true)).toThrow(/item\.id/);
    }
  });

  it('does not mutate its input', () => {
    const items = deepFreeze(makeItems());
    const before = structuredClone(items);
    for (const format of FORMATS) for (const each of items) renderItemFragment(format, each, true);
    expect(items).toEqual(before);
  });
});

describe('declaresDc', () => {
  it('is true when some item has a non-empty body, as feed decides xmlns:dc', () => {
    expect(declaresDc([])).toBe(false);
    expect(declaresDc(makeItems())).toBe(true);
    expect(declaresDc(makeSummaryItems())).toBe(false);
    expect(declaresDc([makeItem({ html: '' })])).toBe(false);
    // A body of characters XML cannot carry is empty once cleaned: feed writes no content:encoded.
    expect(declaresDc([makeItem({ html: XML_ILLEGAL_SAMPLE })])).toBe(false);
    expect(declaresDc([makeItem({ html: '' }), makeItem({ html: '<p>x</p>' })])).toBe(true);
    for (const items of [[makeItem({ html: XML_ILLEGAL_SAMPLE })], makeSummaryItems(), makeItems()]) {
      const declared = renderRssDocument(makeMeta(), items).includes('xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content=');
      expect(declared).toBe(declaresDc(items));
    }
  });
});

describe('renderFeedFrame', () => {
  it('rss: declares xmlns:dc and xmlns:content on <rss> when told the items do, and has the channel indentation', () => {
    const declared = renderFeedFrame('rss', makeMeta(), true);
    const undeclared = renderFeedFrame('rss', makeMeta(), false);
    expect(declared.head).toContain('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom=');
    expect(undeclared.head).toContain('<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">');
    for (const frame of [declared, undeclared]) {
      expect(frame.head.endsWith('"/>\n        ')).toBe(true);
      expect(frame.separator).toBe('\n        ');
      expect(frame.tail).toBe('\n    </channel>\n</rss>');
      // No items: no namespaces for them, whatever the frame was asked for.
      expect(frame.empty).toBe(renderRssDocument(makeMeta(), []));
    }
  });

  it('atom: puts the entries after the feed elements at depth 1', () => {
    const frame = renderFeedFrame('atom', makePagedMeta(), false);
    expect(frame.head).toContain('<link rel="last" href="https://example.com/tech/atom.xml?page=4&#x26;size=3"/>');
    expect(frame.head.endsWith('</subtitle>\n    ')).toBe(true);
    expect(frame.separator).toBe('\n    ');
    expect(frame.tail).toBe('\n</feed>');
    expect(renderFeedFrame('atom', makePagedMeta(), true)).toEqual(frame);
  });

  it('refuses what the renderers refuse', () => {
    expect(() => renderFeedFrame('rss', makeMeta({ description: ' \u0001' }), false)).toThrow(/description/);
    for (const format of FORMATS) {
      expect(() => renderFeedFrame(format, makeMeta({ hubs: ['/hub'] }), false)).toThrow(/meta\.hubs\[0\]/);
      expect(() => renderFeedFrame(format, makeMeta({ homeUrl: 'tech/' }), false)).toThrow(/meta\.homeUrl/);
    }
  });
});

describe('cutting feed\'s output', () => {
  const frame = { head: '<rss>\n    ', separator: '\n    ', tail: '\n</rss>' };

  it('learns the frame from a document of two equal probe items', () => {
    expect(cutFrame('<rss>\n    <item>p</item>\n    <item>p</item>\n</rss>', '<item>', '</item>', 'rss')).toEqual(frame);
  });

  it('throws when the probe items are missing, differ or stand apart by more than whitespace', () => {
    expect(() => cutFrame('<rss>\n</rss>', '<item>', '</item>', 'rss')).toThrow(/\[feed:rss\].*format changed/);
    expect(() => cutFrame('<rss><item>p</item></rss>', '<item>', '</item>', 'rss')).toThrow(/format changed/);
    expect(() => cutFrame('<rss><item>p</item><item>q</item></rss>', '<item>', '</item>', 'rss')).toThrow(/format changed/);
    expect(() => cutFrame('<rss><item>p</item><x/><item>p</item></rss>', '<item>', '</item>', 'rss')).toThrow(/format changed/);
  });

  it('cuts an item out of a one-item document, and throws when the document is not the frame around one', () => {
    expect(cutFragment('<rss>\n    <item>x</item>\n</rss>', frame, '<item>', '</item>', 'rss')).toBe('<item>x</item>');
    expect(() => cutFragment('<rss xmlns:dc="">\n    <item>x</item>\n</rss>', frame, '<item>', '</item>', 'rss')).toThrow(/format changed/);
    expect(() => cutFragment('<rss>\n    <item>x</item>\n</channel></rss>', frame, '<item>', '</item>', 'rss')).toThrow(/format changed/);
    expect(() => cutFragment('<rss>\n    \n</rss>', frame, '<item>', '</item>', 'rss')).toThrow(/format changed/);
    expect(() => cutFragment('<rss>\n</rss>', frame, '<item>', '</item>', 'rss')).toThrow(/format changed/);
  });
});
