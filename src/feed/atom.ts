// Atom 1.0 (RFC 4287) through `feed` 6, with repairs and additions to its output made after rendering.
import { Feed, type Author as FeedAuthor, type Item } from 'feed';
import type { Author } from '../article/types.ts';
import {
  extraTags,
  namedAuthors,
  optionalContent,
  optionalUri,
  relatedLinks,
  resolvePlaceholders,
  textToHtml,
  toUri,
  withStylesheet,
  xmlAttribute,
  xmlText,
} from './escape.ts';
import type { FeedFormatDefinition } from './format-definition.ts';
import { assembleFeed, CUTTING_META, cutFragment, cutFrame, probeItem, type FeedFrame } from './frame.ts';
import { itemMedia } from './media.ts';
import type { FeedItem, FeedMeta } from './types.ts';

// Marks an entry's title slot; a C0 control, so no (cleaned) input can contain it.
const TITLE_MARK = '\u000E';
const TITLE_SLOT = /<title type="html"><!\[CDATA\[\u000E(\d+)\u000E\]\]><\/title>/g;
// Marks the slot of an entry's attribution (its `rights`, which `feed` writes last in the entry).
const ATTRIBUTION_MARK = '\u000F';
const ATTRIBUTION_SLOT = /<rights>\u000F(\d+)\u000F<\/rights>/g;
// Children of an entry stand on their own lines at this indent in `feed`'s output.
const ENTRY_CHILD_INDENT = '\n        ';
const FEED_START = '<feed xmlns="http://www.w3.org/2005/Atom">';
const SELF_LINK = /<link rel="self" href="[^"]*"\/>/g;
const ENTRY_OPEN = '<entry>';
const ENTRY_CLOSE = '</entry>';
// `feed` writes an enclosure link with a type guessed from the extension (`image/jpg`) and no
// length; its title carries this mark and the entry's index, and the link is written anew.
const ENCLOSURE_MARK = 'wirefeed-enclosure-';
const ENCLOSURE_SLOT = /<link rel="enclosure" href="[^"]*" title="wirefeed-enclosure-(\d+)"[^>]*\/>/g;

/** Atom 1.0 in the format registry (formats.ts): its documents do not depend on whether items have bodies. */
export const ATOM_FORMAT: FeedFormatDefinition<'atom'> = {
  name: 'atom',
  file: 'atom.xml',
  contentType: 'application/atom+xml; charset=utf-8',
  label: 'Atom',
  dependsOnBodies: false,
  renderFrame: renderAtomFrame,
  renderItem: renderAtomEntry,
};

/**
 * Renders one feed as an Atom 1.0 document; identical input gives identical bytes. Put together
 * from its frame and its entries' fragments, exactly as a cache of fragments does (fragments.ts).
 */
export function renderAtom(meta: FeedMeta, items: FeedItem[]): string {
  const frame = renderAtomFrame(meta);
  return assembleFeed(frame, items.map(renderAtomEntry));
}

/**
 * The same document as `renderAtom`, in one pass through `feed`: the output frames and fragments
 * are cut from, and the reference the assembled document is tested against.
 */
export function renderAtomDocument(meta: FeedMeta, items: FeedItem[]): string {
  return atomDocument(meta, items);
}

/** The Atom document of `meta` around its entries, learnt from `feed`'s output for two probe entries. */
export function renderAtomFrame(meta: FeedMeta): FeedFrame {
  const probe = probeItem(true);
  const frame = cutFrame(atomDocument(meta, [probe, probe]), ENTRY_OPEN, ENTRY_CLOSE, 'atom');
  return { ...frame, empty: atomDocument(meta, []) };
}

// The frame of one-entry documents of CUTTING_META; learnt once.
let cuttingFrame: FeedFrame | undefined;

/**
 * One item's <entry>…</entry> as it appears in an Atom document, at any position: cut from a
 * one-entry document, where its title slot is the first (entry titles are placed by index).
 */
export function renderAtomEntry(item: FeedItem): string {
  cuttingFrame ??= renderAtomFrame(CUTTING_META);
  return cutFragment(atomDocument(CUTTING_META, [item]), cuttingFrame, ENTRY_OPEN, ENTRY_CLOSE, 'atom');
}

function atomDocument(meta: FeedMeta, items: FeedItem[]): string {
  const feed = new Feed({
    id: xmlText(toUri(meta.id, 'meta.id')),
    title: xmlText(meta.title),
    description: xmlText(meta.description),
    link: toUri(meta.homeUrl, 'meta.homeUrl'),
    feedLinks: { atom: toUri(meta.links.atom, 'meta.links.atom') },
    // Always given: `feed` falls back to "now", and the bytes would change on every render.
    updated: meta.updated,
    generator: 'wirefeed',
    // RFC 4287 §4.1.1: a feed without an author needs one in every entry; this covers entries without.
    author: { name: xmlText(meta.title) },
  });
  items.forEach((item, index) => feed.addItem(toAtomEntry(item, index)));
  const xml = withEnclosures(withAttribution(withTextTitles(withRelatedLinks(withLanguage(feed.atom1(), meta.language), meta), items), items), items);
  return resolvePlaceholders(withStylesheet(xml, meta.stylesheet, 'atom'));
}

function toAtomEntry(item: FeedItem, index: number): Item {
  const authors = namedAuthors(item);
  return {
    title: `${TITLE_MARK}${index}${TITLE_MARK}`,
    id: toUri(item.id, 'item.id'),
    link: toUri(item.url, 'item.url'),
    // `feed` writes atom:updated from `date` and atom:published from `published`.
    date: item.updatedAt,
    published: item.publishedAt,
    // Written as type="html" CDATA: the summary escaped as HTML, the body as it is.
    description: textToHtml(item.summary),
    // Omitted when the feed carries summaries only: then no <content>, the summary stays.
    content: optionalContent(item),
    ...(authors.length > 0 ? { author: authors.map(toAtomAuthor) } : {}),
    ...(itemMedia(item) === undefined ? {} : { enclosure: { url: itemMedia(item)!.url, title: `${ENCLOSURE_MARK}${index}` } }),
    // `feed` adds `&amp;` to these attributes itself; xmlAttribute hands it no `&` to double.
    category: [
      {
        term: xmlAttribute(item.category.slug),
        scheme: toUri(item.category.url, 'item.category.url'),
        name: xmlAttribute(item.category.name),
      },
      ...extraTags(item).map((tag) => ({ term: xmlAttribute(tag) })),
    ],
    ...(attributionParts(item).length > 0 ? { copyright: `${ATTRIBUTION_MARK}${index}${ATTRIBUTION_MARK}` } : {}),
  };
}

/**
 * An entry's attribution in Atom: `<rights>` holds the licence name (RFC 4287 §4.2.10),
 * `<link rel="license">` its URL (RFC 4946), `<link rel="via">` the original article ("the
 * source of the information provided in the containing element", RFC 4287 §4.2.7.2), titled
 * with the source's name. `<source>` is left out: RFC 4287 §4.2.11 fills it with the source
 * feed's own metadata (id, title, updated), which front matter does not give.
 */
function attributionParts(item: FeedItem): string[] {
  const attribution = item.attribution;
  if (attribution === undefined) return [];
  const via = optionalUri(attribution.sourceUrl);
  const license = optionalUri(attribution.licenseUrl);
  const title = attribution.source === undefined ? '' : ` title="${xmlAttribute(attribution.source)}"`;
  return [
    ...(attribution.license === undefined ? [] : [`<rights type="text">${xmlText(attribution.license)}</rights>`]),
    ...(license === undefined ? [] : [`<link rel="license" href="${xmlAttribute(license)}"/>`]),
    ...(via === undefined ? [] : [`<link rel="via" href="${xmlAttribute(via)}"${title}/>`]),
  ];
}

// `feed` has no way to add links or elements to an entry; each entry with an attribution wrote
// its index as its rights (last in the entry), and the slot becomes the attribution's elements.
function withAttribution(xml: string, items: FeedItem[]): string {
  const wanted = items.filter((item) => attributionParts(item).length > 0).length;
  let written = 0;
  const result = xml.replace(ATTRIBUTION_SLOT, (_slot, index: string) => {
    written += 1;
    const item = items[Number(index)];
    return item === undefined ? '' : attributionParts(item).join(ENTRY_CHILD_INDENT);
  });
  if (written !== wanted) {
    throw new Error(`[feed:atom] found ${written} of ${wanted} entry attributions in feed's output; its format changed`);
  }
  return result;
}

function toAtomAuthor(author: Author): FeedAuthor {
  const email = author.email === undefined ? {} : { email: xmlText(author.email) };
  return { name: xmlText(author.name), ...email, link: optionalUri(author.url) };
}

// `feed` writes every entry title as <title type="html"><![CDATA[…]]></title>. Our titles are
// plain text (RFC 4287 §3.1.1.1, type="text"): declared as HTML, newsboat shows the decoded text
// while feedparser returns the markup ("Q&amp;A"), so the two disagree on any title with `&` or
// `<`. Each entry's title slot holds its index; here the element is written as text.
function withTextTitles(xml: string, items: FeedItem[]): string {
  let written = 0;
  const result = xml.replace(TITLE_SLOT, (_slot, index: string) => {
    written += 1;
    return `<title type="text">${xmlText(items[Number(index)]?.title ?? '')}</title>`;
  });
  if (written !== items.length) {
    throw new Error(`[feed:atom] found ${written} of ${items.length} entry titles in feed's output; its format changed`);
  }
  return result;
}

// RFC 4287 §4.2.7.2: rel="enclosure" names a related resource that may be large; `type` and
// `length` (§4.2.7.3-6) are advisory and written when known, so a remote image gets a link too.
function withEnclosures(xml: string, items: FeedItem[]): string {
  let written = 0;
  const result = xml.replace(ENCLOSURE_SLOT, (_slot, index: string) => {
    written += 1;
    const media = itemMedia(items[Number(index)]!)!;
    const type = media.type === undefined ? '' : ` type="${resolvePlaceholders(xmlAttribute(media.type))}"`;
    const length = media.length === undefined ? '' : ` length="${media.length}"`;
    return `<link rel="enclosure" href="${resolvePlaceholders(xmlAttribute(media.url))}"${type}${length}/>`;
  });
  const expected = items.filter((item) => itemMedia(item) !== undefined).length;
  if (written !== expected) {
    throw new Error(`[feed:atom] found ${written} of ${expected} enclosure links in feed's output; its format changed`);
  }
  return result;
}

// `feed` has no language option for Atom; RFC 4287 §2 takes xml:lang on any element.
function withLanguage(xml: string, language: string): string {
  if (!xml.includes(FEED_START)) throw new Error("[feed:atom] no <feed> start tag in feed's output; its format changed");
  const lang = resolvePlaceholders(xmlAttribute(language));
  return xml.replace(FEED_START, () => `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${lang}">`);
}

// `feed` writes at most one hub link and no paging links; the feed's WebSub hubs (W3C WebSub §4)
// and RFC 5005 §3 paging links go right after its self link, as more atom:link elements. The
// self link is looked for before the first entry only: an entry's content is raw HTML in CDATA
// and may hold the same characters, which must stay content (not count, not get links added).
// Text before the entries is all escaped, so the first `<entry>` is the first entry's start tag.
function withRelatedLinks(xml: string, meta: FeedMeta): string {
  const firstEntry = xml.indexOf(ENTRY_OPEN);
  const feedPart = firstEntry < 0 ? xml : xml.slice(0, firstEntry);
  const selfLinks = feedPart.match(SELF_LINK)?.length ?? 0;
  if (selfLinks !== 1) throw new Error(`[feed:atom] found ${selfLinks} self links in feed's output, not 1; its format changed`);
  const links = relatedLinks(meta, 'atom').map(
    ({ rel, href }) => `<link rel="${rel}" href="${resolvePlaceholders(xmlAttribute(href))}"/>`,
  );
  if (links.length === 0) return xml;
  return feedPart.replace(SELF_LINK, (self) => [self, ...links].join('\n    ')) + xml.slice(feedPart.length);
}
