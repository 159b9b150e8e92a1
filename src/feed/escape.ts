// Text preparation shared by the renderers: which characters may enter a feed at all, how plain
// text and HTML get through `feed` 6 (and the xml-js serializer inside it) unchanged, escapes for
// markup written by hand (OPML), the small model rules all three formats must apply alike, and the
// stylesheet instruction of the XML formats.
import type { Author } from '../article/types.ts';
import type { FeedItem, FeedLinks, FeedMeta } from './types.ts';

// XML 1.0 §2.2 (Char): no C0 controls but tab, LF and CR, no U+FFFE/U+FFFF, no lone surrogates.
// With the `u` flag a surrogate pair is one code point, so the class only matches lone halves.
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

// xml-js cannot be made to write a character reference: its text escaping first turns every
// `&amp;` back into `&` (a literal "AT&amp;T" would come out as "AT&T"), and its attribute
// escaping leaves `&` and `<` alone (`feed` adds `&amp;` to some attributes, never `&lt;`, so a
// `<` in a category label breaks the document). So text bound for a `feed` text or attribute slot
// carries a placeholder for each such character, and `resolvePlaceholders` writes the reference
// once xml-js is done. The placeholders are C0 controls: `stripIllegalXml` removes those from
// every input, so an input can never forge one. Hexadecimal references follow the RSS Best
// Practices Profile (https://www.rssboard.org/rss-profile#data-types-characterdata): `&#x26;`
// and `&#x3C;` read right in the widest range of aggregators, and they are plain XML for Atom.
const REFERENCES: Record<string, string> = {
  '\u0001': '&#x26;', // &
  '\u0002': '&#x3C;', // <
  '\u0003': '&#x3E;', // >
  '\u0004': '&#x22;', // " (attributes)
  '\u0005': '&#x9;', // tab (attributes: a literal one would be read back as a space, XML 1.0 §3.3.3)
  '\u0006': '&#xA;', // LF (attributes, likewise)
  '\u0007': '&#xD;', // CR (a literal one is dropped by end-of-line handling, XML 1.0 §2.11)
};
const TEXT_PLACEHOLDERS: Record<string, string> = { '&': '\u0001', '<': '\u0002', '>': '\u0003', '\r': '\u0007' };
const ATTRIBUTE_PLACEHOLDERS: Record<string, string> = {
  ...TEXT_PLACEHOLDERS,
  '"': '\u0004',
  '\t': '\u0005',
  '\n': '\u0006',
};

/** Removes the characters XML 1.0 cannot carry, not even as references. */
export function stripIllegalXml(text: string): string {
  return text.replace(XML_ILLEGAL, '');
}

/** Plain text for a `feed` text slot (an element written with xml-js `_text`); needs `resolvePlaceholders` afterwards. */
export function xmlText(text: string): string {
  return stripIllegalXml(text).replace(/[&<>\r]/g, (char) => TEXT_PLACEHOLDERS[char] ?? char);
}

/** Plain text for a `feed` attribute slot; needs `resolvePlaceholders` afterwards. */
export function xmlAttribute(text: string): string {
  return stripIllegalXml(text).replace(/[&<>"\t\n\r]/g, (char) => ATTRIBUTE_PLACEHOLDERS[char] ?? char);
}

/** Turns the placeholders of `xmlText`/`xmlAttribute` in a serialized document into character references. */
export function resolvePlaceholders(xml: string): string {
  return xml.replace(/[\u0001-\u0007]/g, (char) => REFERENCES[char] ?? '');
}

/** Plain text as HTML that displays exactly that text; it has no `>`, so it is also safe in CDATA. */
export function textToHtml(text: string): string {
  return escapeText(stripIllegalXml(text));
}

/**
 * `&`, `<` and `>` as references: element content, XML or HTML, that reads back as `text`. For
 * markup written by hand (OPML); nothing is removed (`stripIllegalXml` does that).
 */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * `escapeText`, and `"`, tab, LF and CR as references: a double-quoted attribute value that reads
 * back as `text` (literal whitespace would come back as spaces, XML 1.0 §3.3.3).
 */
export function escapeAttribute(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#x9;').replace(/\n/g, '&#xA;').replace(/\r/g, '&#xD;');
}

/** HTML for a CDATA section: xml-js splits only the first `]]>`, so every one becomes `]]&gt;`, the same HTML text. */
export function htmlForCdata(html: string): string {
  return stripIllegalXml(html).replaceAll(']]>', ']]&gt;');
}

/** The item's body for a `feed` content slot; undefined (no content element) when the feed carries summaries only. */
export function optionalContent(item: FeedItem): string | undefined {
  return item.html === undefined ? undefined : htmlForCdata(item.html);
}

/**
 * Whether the item carries a body: a non-empty one, once cleaned (what a content element would
 * hold). A format may write its document differently when some item does (RSS declares xmlns:dc).
 */
export function carriesBody(item: FeedItem): boolean {
  return Boolean(optionalContent(item));
}

/**
 * The URI form of an absolute URL or IRI, as all three formats write it; throws when it is not one
 * (or is missing: a link the model lacks). `feed` passes ids and links through `new URL()`, so the
 * other formats must too, or they disagree.
 */
export function toUri(value: string | undefined, what: string): string {
  let url: URL;
  try {
    // A missing link fails like an empty one: no URL.
    url = new URL(value ?? '');
  } catch {
    throw new TypeError(`[feed] ${what} is not an absolute URL: ${JSON.stringify(value)}`);
  }
  return encodeLeftovers(url.href);
}

/** Like `toUri` for optional links (author pages, images): undefined instead of an error. */
export function optionalUri(value: string | undefined): string | undefined {
  if (value === undefined || !URL.canParse(value)) return undefined;
  return encodeLeftovers(new URL(value).href);
}

// WHATWG URL serialisation keeps a few characters RFC 3986 §2 does not allow (space, `"`, `<`, `>`
// in opaque paths such as `tag:` ids; `|`, `^`, `{` elsewhere); percent-encoding them makes a
// valid URI that is also safe in any XML attribute. Everything non-ASCII is already encoded.
function encodeLeftovers(href: string): string {
  return href.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/g, (char) => {
    return `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  });
}

/** The item's authors that have a name (every format needs one), names cleaned. */
export function namedAuthors(item: FeedItem): Author[] {
  return item.authors
    .map((author) => ({ ...author, name: stripIllegalXml(author.name).trim() }))
    .filter((author) => author.name !== '');
}

/** The item's tags, cleaned, without blanks, repeats or the section's own name: the categories every format lists after the section. */
export function extraTags(item: FeedItem): string[] {
  const section = stripIllegalXml(item.category.name).trim();
  const tags = item.tags.map((tag) => stripIllegalXml(tag).trim()).filter((tag) => tag !== '' && tag !== section);
  return [...new Set(tags)];
}

/** A link of the feed beyond its page and itself, in the URI form `toUri` gives. */
export interface RelatedLink {
  rel: 'hub' | 'first' | 'previous' | 'next' | 'last';
  href: string;
}

/**
 * The WebSub hubs (W3C WebSub §4: `rel="hub"`) and the RFC 5005 §3 paging links of the feed, in the
 * given format; RSS and Atom write them all as Atom links. Paging links absent from the model are left out.
 */
export function relatedLinks(meta: FeedMeta, format: string): RelatedLink[] {
  const hubs = meta.hubs.map((hub, index): RelatedLink => ({ rel: 'hub', href: toUri(hub, `meta.hubs[${index}]`) }));
  const { paging } = meta;
  if (paging === undefined) return hubs;
  const pages: Array<[RelatedLink['rel'], FeedLinks | undefined]> = [
    ['first', paging.first],
    ['previous', paging.previous],
    ['next', paging.next],
    ['last', paging.last],
  ];
  const pageLinks = pages.flatMap(([rel, links]) =>
    links === undefined ? [] : [{ rel, href: toUri(links[format], `meta.paging.${rel}.${format}`) }],
  );
  return [...hubs, ...pageLinks];
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * Puts `<?xml-stylesheet type="text/css" href="…"?>` right after the XML declaration `feed` writes.
 * `feed`'s own `stylesheet` option hard-codes type="text/xsl" and writes the href unescaped; a
 * pseudo-attribute takes references like an attribute (xml-stylesheet PI 1.0 §1, PseudoAttValue).
 * `renderer` names the caller in the error thrown when `feed`'s output no longer starts as expected.
 */
export function withStylesheet(xml: string, stylesheet: string | undefined, renderer: string): string {
  if (stylesheet === undefined) return xml;
  if (!xml.startsWith(XML_DECLARATION)) {
    throw new Error(`[feed:${renderer}] no XML declaration at the start of feed's output; its format changed`);
  }
  const href = resolvePlaceholders(xmlAttribute(toUri(stylesheet, 'meta.stylesheet')));
  const instruction = `<?xml-stylesheet type="text/css" href="${href}"?>`;
  return `${XML_DECLARATION}\n${instruction}${xml.slice(XML_DECLARATION.length)}`;
}
