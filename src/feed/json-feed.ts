// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written here: `feed` 6 only writes
// version 1 with the deprecated `author` and no `date_published`. JSON could carry control
// characters, but the XML formats cannot, so text is cleaned the same way to keep them equal.
import type { Attribution, Author } from '../article/types.ts';
import { extraTags, namedAuthors, optionalUri, stripIllegalXml, toUri } from './escape.ts';
import type { FeedFormatDefinition } from './format-definition.ts';
import { assembleFeed, type FeedFrame } from './frame.ts';
import { itemMedia } from './media.ts';
import type { FeedItem, FeedMeta } from './types.ts';

interface JsonFeedDocument {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  /** The next page of an RFC 5005 paged feed; JSON Feed 1.1 has no other paging link. */
  next_url?: string;
  language: string;
  hubs?: JsonFeedHub[];
  items: JsonFeedItem[];
}

/** JSON Feed 1.1 §hubs: "type" and "url"; W3C WebSub is the type our hubs speak. */
interface JsonFeedHub {
  type: 'WebSub';
  url: string;
}

interface JsonFeedItem {
  id: string;
  url: string;
  /** JSON Feed 1.1: "the URL of a page elsewhere": the original of an article taken from elsewhere. */
  external_url?: string;
  title: string;
  summary?: string;
  /** JSON Feed 1.1: an item has content_html or content_text, or both; we write exactly one. */
  content_html?: string;
  content_text?: string;
  image?: string;
  /** RFC 3339. */
  date_published: string;
  /** RFC 3339. */
  date_modified: string;
  authors?: JsonFeedAuthor[];
  tags: string[];
  _attribution?: JsonFeedAttribution;
  attachments?: JsonFeedAttachment[];
}

/**
 * JSON Feed 1.1 has no source or licence field; its extension rule ("keys that start with an
 * underscore", holding an object) carries them, in the front matter's own words.
 */
interface JsonFeedAttribution {
  source?: string;
  source_url?: string;
  source_feed?: string;
  license?: string;
  license_url?: string;
}

/** JSON Feed 1.1 §attachments: url and mime_type required, size_in_bytes optional. */
interface JsonFeedAttachment {
  url: string;
  mime_type: string;
  size_in_bytes?: number;
}

/** JSON Feed 1.1 §authors: name, url and avatar; there is no email field. */
interface JsonFeedAuthor {
  name: string;
  url?: string;
}

// JSON.stringify(…, null, 2) (ECMA-262 SerializeJSONArray): the document's last member is
// `"items": [` at depth 1; each item is on its own lines at depth 2, items joined by `,` and a
// newline, `]` back at depth 1; an empty array is `[]`. Strings never hold a raw newline.
const ITEM_INDENT = '    ';
const EMPTY_ITEMS_END = '[]\n}';

/** JSON Feed 1.1 in the format registry (formats.ts): its documents do not depend on whether items have bodies. */
export const JSON_FEED_FORMAT: FeedFormatDefinition<'json'> = {
  name: 'json',
  file: 'feed.json',
  contentType: 'application/feed+json; charset=utf-8',
  label: 'JSON Feed',
  dependsOnBodies: false,
  renderFrame: renderJsonFeedFrame,
  renderItem: renderJsonFeedItem,
};

/**
 * Renders one feed as a JSON Feed 1.1 document; identical input gives identical bytes. Put
 * together from its frame and its items' fragments, exactly as a cache of fragments does (fragments.ts).
 */
export function renderJsonFeed(meta: FeedMeta, items: FeedItem[]): string {
  return assembleFeed(renderJsonFeedFrame(meta), items.map(renderJsonFeedItem));
}

/** The same document as `renderJsonFeed`, in one JSON.stringify: the reference the assembled document is tested against. */
export function renderJsonFeedDocument(meta: FeedMeta, items: FeedItem[]): string {
  return jsonFeedDocument(meta, items);
}

/** The JSON Feed document of `meta` around its items. */
export function renderJsonFeedFrame(meta: FeedMeta): FeedFrame {
  const empty = jsonFeedDocument(meta, []);
  if (!empty.endsWith(`"items": ${EMPTY_ITEMS_END}`)) {
    throw new Error('[feed:json] the document does not end with its empty "items" array; its layout changed');
  }
  const open = empty.slice(0, -EMPTY_ITEMS_END.length);
  return { head: `${open}[\n${ITEM_INDENT}`, separator: `,\n${ITEM_INDENT}`, tail: '\n  ]\n}', empty };
}

/** One item as it appears in a JSON Feed document, at any position: its object, indented to the depth of the "items" entries. */
export function renderJsonFeedItem(item: FeedItem): string {
  return JSON.stringify(toJsonItem(item), null, 2).replaceAll('\n', `\n${ITEM_INDENT}`);
}

function jsonFeedDocument(meta: FeedMeta, items: FeedItem[]): string {
  const next = meta.paging?.next;
  const hubs = meta.hubs.map((hub, index): JsonFeedHub => ({ type: 'WebSub', url: toUri(hub, `meta.hubs[${index}]`) }));
  const document: JsonFeedDocument = {
    version: 'https://jsonfeed.org/version/1.1',
    title: stripIllegalXml(meta.title),
    home_page_url: toUri(meta.homeUrl, 'meta.homeUrl'),
    feed_url: toUri(meta.links.json, 'meta.links.json'),
    description: stripIllegalXml(meta.description),
    ...(next === undefined ? {} : { next_url: toUri(next.json, 'meta.paging.next.json') }),
    language: stripIllegalXml(meta.language),
    ...(hubs.length === 0 ? {} : { hubs }),
    items: items.map(toJsonItem),
  };
  return JSON.stringify(document, null, 2);
}

function toJsonItem(item: FeedItem): JsonFeedItem {
  const summary = stripIllegalXml(item.summary);
  const image = optionalUri(item.image);
  const media = itemMedia(item);
  const attachment: JsonFeedAttachment | undefined =
    media?.type === undefined ? undefined : { url: media.url, mime_type: media.type, ...(media.length === undefined ? {} : { size_in_bytes: media.length }) };
  const authors = namedAuthors(item).map(toJsonAuthor);
  // The source's page, else the canonical URL when it is not this item's own page.
  const canonical = optionalUri(item.attribution?.canonical);
  const url = toUri(item.url, 'item.url');
  const external = optionalUri(item.attribution?.sourceUrl) ?? (canonical === url ? undefined : canonical);
  const attribution = toJsonAttribution(item.attribution);
  return {
    // Ids and links in the same URI form as the RSS and Atom renderers write them.
    id: toUri(item.id, 'item.id'),
    url,
    ...(external === undefined ? {} : { external_url: external }),
    title: stripIllegalXml(item.title),
    ...(summary === '' ? {} : { summary }),
    // Cut to summaries to fit the size budget: the summary is then the content, as plain text.
    ...(item.html === undefined ? { content_text: summary } : { content_html: stripIllegalXml(item.html) }),
    ...(image === undefined ? {} : { image }),
    date_published: item.publishedAt.toISOString(),
    date_modified: item.updatedAt.toISOString(),
    ...(authors.length === 0 ? {} : { authors }),
    // The section first, as RSS and Atom list it first among their categories.
    tags: [stripIllegalXml(item.category.name).trim(), ...extraTags(item)],
    ...(attribution === undefined ? {} : { _attribution: attribution }),
    ...(attachment === undefined ? {} : { attachments: [attachment] }),
  };
}

function toJsonAttribution(attribution: Attribution | undefined): JsonFeedAttribution | undefined {
  if (attribution === undefined) return undefined;
  const text = (value: string | undefined) => (value === undefined ? undefined : stripIllegalXml(value));
  const entries = Object.entries({
    source: text(attribution.source),
    source_url: optionalUri(attribution.sourceUrl),
    source_feed: optionalUri(attribution.sourceFeed),
    license: text(attribution.license),
    license_url: optionalUri(attribution.licenseUrl),
  }).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as JsonFeedAttribution);
}

function toJsonAuthor(author: Author): JsonFeedAuthor {
  const url = optionalUri(author.url);
  return url === undefined ? { name: author.name } : { name: author.name, url };
}
