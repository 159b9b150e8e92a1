// RSS 2.0 (https://www.rssboard.org/rss-specification) through `feed` 6.
import { Feed, type Item } from 'feed';
import type { Attribution, Author } from '../article/types.ts';
import {
  carriesBody,
  extraTags,
  namedAuthors,
  optionalContent,
  optionalUri,
  relatedLinks,
  resolvePlaceholders,
  stripIllegalXml,
  textToHtml,
  toUri,
  withStylesheet,
  xmlAttribute,
  xmlText,
} from './escape.ts';
import type { FeedFormatDefinition } from './format-definition.ts';
import { assembleFeed, CUTTING_META, cutFragment, cutFrame, probeItem, type FeedFrame } from './frame.ts';
import { itemMedia, MEDIA_NAMESPACE } from './media.ts';
import type { FeedItem, FeedMeta } from './types.ts';

const DC_NAMESPACE = 'http://purl.org/dc/elements/1.1/';
// The RSS 2.0 Creative Commons module (https://cyber.harvard.edu/rss/creativeCommonsRssModule.html):
// <creativeCommons:license> holds the URL of an item's licence; RSS core has no per-item licence.
const CC_NAMESPACE = 'http://backend.userland.com/creativeCommonsRssModule';
const ITEM_OPEN = '<item>';
const ITEM_CLOSE = '</item>';
const RSS_START = '<rss version="2.0"';

/** RSS 2.0 in the format registry (formats.ts): xmlns:dc goes on <rss> when some item has a body. */
export const RSS_FORMAT: FeedFormatDefinition<'rss'> = {
  name: 'rss',
  file: 'rss.xml',
  contentType: 'application/rss+xml; charset=utf-8',
  label: 'RSS',
  dependsOnBodies: true,
  renderFrame: renderRssFrame,
  renderItem: renderRssItem,
};

/**
 * Renders one feed as an RSS 2.0 document; identical input gives identical bytes. Put together
 * from its frame and its items' fragments, exactly as a cache of fragments does (fragments.ts).
 */
export function renderRss(meta: FeedMeta, items: FeedItem[]): string {
  const dcDeclared = declaresDc(items);
  const frame = renderRssFrame(meta, dcDeclared);
  return assembleFeed(frame, items.map((item) => renderRssItem(item, dcDeclared)));
}

/**
 * The same document as `renderRss`, in one pass through `feed`: the output frames and fragments
 * are cut from, and the reference the assembled document is tested against.
 */
export function renderRssDocument(meta: FeedMeta, items: FeedItem[]): string {
  return rssDocument(meta, items, declaresDc(items));
}

/** Whether an RSS document holding `items` declares xmlns:dc on <rss>: `feed` does when some item has content:encoded (a non-empty body). */
export function declaresDc(items: FeedItem[]): boolean {
  return items.some(carriesBody);
}

/**
 * The RSS document of `meta` around its items, learnt from `feed`'s output for two probe items.
 * `dcDeclared` is `declaresDc` of the items to go in: it decides the namespaces on <rss>.
 * `empty` is the document without items, which declares neither xmlns:dc nor xmlns:content.
 */
export function renderRssFrame(meta: FeedMeta, dcDeclared: boolean): FeedFrame {
  const probe = probeItem(dcDeclared);
  const frame = cutFrame(rssDocument(meta, [probe, probe], dcDeclared), ITEM_OPEN, ITEM_CLOSE, 'rss');
  return { ...frame, empty: rssDocument(meta, [], dcDeclared) };
}

// The frames of one-item documents of CUTTING_META, by whether the item has a body; learnt once.
const cuttingFrames = new Map<boolean, FeedFrame>();

/**
 * One item's <item>…</item> as it appears in an RSS document, at any position: cut from a
 * one-item document. `dcDeclared` says whether that document declares xmlns:dc on <rss>
 * (`declaresDc` of all its items); when it does not, each dc:creator declares it itself.
 */
export function renderRssItem(item: FeedItem, dcDeclared: boolean): string {
  const withBody = declaresDc([item]);
  let frame = cuttingFrames.get(withBody);
  if (frame === undefined) {
    frame = renderRssFrame(CUTTING_META, withBody);
    cuttingFrames.set(withBody, frame);
  }
  return cutFragment(rssDocument(CUTTING_META, [item], dcDeclared), frame, ITEM_OPEN, ITEM_CLOSE, 'rss');
}

// The document through `feed`. `dcDeclared` must say whether `feed` declares xmlns:dc, which it
// does when some item has content; a one-item document cut for its item may be told otherwise.
function rssDocument(meta: FeedMeta, items: FeedItem[], dcDeclared: boolean): string {
  // RSS 2.0 "Required channel elements": description. `feed` would write an empty one.
  if (stripIllegalXml(meta.description).trim() === '') {
    throw new TypeError('renderRss: meta.description must not be empty (RSS 2.0 requires channel/description)');
  }
  const feed = new Feed({
    title: xmlText(meta.title),
    description: xmlText(meta.description),
    link: toUri(meta.homeUrl, 'meta.homeUrl'),
    // Given so that `feed` declares xmlns:atom; the channel extension below writes the links themselves.
    feedLinks: { rss: toUri(meta.links.rss, 'meta.links.rss') },
    language: xmlText(meta.language),
    // Always given: `feed` falls back to "now", and the bytes would change on every render.
    updated: meta.updated,
    docs: 'https://www.rssboard.org/rss-specification',
    generator: 'wirefeed',
  });
  feed.addExtension({ name: 'atom:link', objects: atomLinks(meta) });
  for (const item of items) feed.addItem(toRssItem(item, dcDeclared));
  return resolvePlaceholders(withStylesheet(withMediaNamespace(feed.rss2()), meta.stylesheet, 'rss'));
}

// Media RSS elements may appear in any item, so every document declares the namespace on <rss>
// (the frame then holds it, whatever the items); `feed` has no option for other namespaces.
function withMediaNamespace(xml: string): string {
  const start = xml.indexOf(RSS_START);
  // The attributes before it are namespace URIs, which hold no `>`.
  const end = start < 0 ? -1 : xml.indexOf('>', start);
  if (end < 0) throw new Error("[feed:rss] no <rss version=\"2.0\" start tag in feed's output; its format changed");
  return `${xml.slice(0, end)} xmlns:media="${MEDIA_NAMESPACE}"${xml.slice(end)}`;
}

// The channel's atom:link elements: itself (RSS Best Practices Profile), its WebSub hubs
// (W3C WebSub §4) and its RFC 5005 §3 paging links. `feed` writes one self link and at most one
// hub under the channel key "atom:link"; a channel extension of the same name is assigned after
// them and replaces that list in place. Like `creators`, it hands xml-js an array as `objects`.
function atomLinks(meta: FeedMeta): Record<string, unknown> {
  const self = { href: xmlAttribute(toUri(meta.links.rss, 'meta.links.rss')), rel: 'self', type: 'application/rss+xml' };
  const related = relatedLinks(meta, 'rss').map(({ rel, href }) => ({ href: xmlAttribute(href), rel }));
  const elements = [self, ...related].map((attributes) => ({ _attributes: attributes }));
  return elements as unknown as Record<string, unknown>;
}

function toRssItem(item: FeedItem, dcDeclared: boolean): Item {
  const title = xmlText(item.title);
  const authors = namedAuthors(item);
  return {
    title,
    link: toUri(item.url, 'item.url'),
    guid: xmlText(toUri(item.id, 'item.id')),
    // `feed` writes pubDate from `published` when given, else from `date`.
    date: item.updatedAt,
    published: item.publishedAt,
    // RSS 2.0 item/description is HTML ("entity-encoded HTML is allowed"): the summary escaped.
    description: textToHtml(item.summary),
    // Omitted when the feed carries summaries only: then no content:encoded, the description stays.
    content: optionalContent(item),
    category: [
      { name: xmlText(item.category.name), domain: xmlAttribute(toUri(item.category.url, 'item.category.url')) },
      ...extraTags(item).map((tag) => ({ name: xmlText(tag) })),
    ],
    extensions: [
      // The title is plain text, single-encoded, as the RSS Best Practices Profile advises
      // (https://www.rssboard.org/rss-profile#element-channel-item-title): feedparser and
      // newsboat both read back exactly the text, where an HTML-escaped title shows them
      // "&lt;"/"&amp;". `feed` writes titles as CDATA, where references cannot be written, so
      // this extension replaces its <title> (it assigns extensions after the title, same key).
      { name: 'title', objects: { _text: title } },
      // RSS 2.0 <author> must be an email address; the Dublin Core creator is a name.
      ...(authors.length > 0 ? [{ name: 'dc:creator', objects: creators(authors, dcDeclared) }] : []),
      ...attributionElements(item.attribution, dcDeclared),
      ...mediaElements(item),
    ],
  };
}

/**
 * An item's attribution in RSS. `<source>` names "the RSS channel that the item came from" and
 * its required `url` is that channel's feed (RSS 2.0, item/source): written only when front matter
 * gives `source_feed`, never with the article's page. The page goes in `<dc:source>` (DCMI: "a
 * related resource from which the described resource is derived"), the licence name in
 * `<dc:rights>`, and its URL in `<creativeCommons:license>`.
 */
function attributionElements(attribution: Attribution | undefined, dcDeclared: boolean): { name: string; objects: Record<string, unknown> }[] {
  if (attribution === undefined) return [];
  const { source, sourceUrl, sourceFeed, license, licenseUrl } = attribution;
  const dc = dcDeclared ? {} : { _attributes: { 'xmlns:dc': DC_NAMESPACE } };
  const sourceLink = optionalUri(sourceUrl);
  const feedLink = optionalUri(sourceFeed);
  const licenseLink = optionalUri(licenseUrl);
  return [
    ...(feedLink === undefined || source === undefined
      ? []
      : [{ name: 'source', objects: { _attributes: { url: xmlAttribute(feedLink) }, _text: xmlText(source) } }]),
    ...(sourceLink === undefined ? [] : [{ name: 'dc:source', objects: { ...dc, _text: xmlText(sourceLink) } }]),
    ...(license === undefined ? [] : [{ name: 'dc:rights', objects: { ...dc, _text: xmlText(license) } }]),
    ...(licenseLink === undefined
      ? []
      : [{ name: 'creativeCommons:license', objects: { _attributes: { 'xmlns:creativeCommons': CC_NAMESPACE }, _text: xmlText(licenseLink) } }]),
  ];
}

// The item's picture: RSS 2.0 <enclosure> needs url, length and type (all three required), so it
// is written only for the site's own files; Media RSS <media:content> and <media:thumbnail>, which
// readers such as Miniflux and FreshRSS show as the thumbnail, for any image. Written here rather
// than through `feed`'s enclosure, which guesses the type from the extension (`image/jpg`).
function mediaElements(item: FeedItem): { name: string; objects: Record<string, unknown> }[] {
  const media = itemMedia(item);
  if (media === undefined) return [];
  const url = xmlAttribute(media.url);
  const { type, length, medium } = media;
  const elements = [];
  if (type !== undefined && length !== undefined) {
    elements.push({ name: 'enclosure', objects: { _attributes: { url, length: String(length), type: xmlAttribute(type) } } });
  }
  const content = {
    url,
    ...(type === undefined ? {} : { type: xmlAttribute(type) }),
    ...(length === undefined ? {} : { fileSize: String(length) }),
    ...(medium === undefined ? {} : { medium }),
  };
  elements.push({ name: 'media:content', objects: { _attributes: content } });
  if (medium === undefined || medium === 'image') elements.push({ name: 'media:thumbnail', objects: { _attributes: { url } } });
  return elements;
}

// One <dc:creator> per author. `feed` types an extension's `objects` as one object, but hands it
// to xml-js as is, which writes an array as one element per entry.
function creators(authors: Author[], dcDeclared: boolean): Record<string, unknown> {
  const declaration = dcDeclared ? {} : { _attributes: { 'xmlns:dc': DC_NAMESPACE } };
  const elements = authors.map((author) => ({ ...declaration, _text: xmlText(author.name) }));
  return elements as unknown as Record<string, unknown>;
}
