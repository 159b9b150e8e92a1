// The renderers' input: one model for every format, in our words (not the formats').
import type { Attribution, Author } from '../article/types.ts';

export interface FeedItem {
  /** Absolute IRI: RSS `guid`, Atom `id`, JSON Feed `id`. */
  id: string;
  /** Absolute URL of the article's HTML page. */
  url: string;
  /** Plain text. */
  title: string;
  /** Plain text. */
  summary: string;
  /** Sanitised HTML of the full article; omitted when the feed is cut to summaries to fit its size budget. */
  html?: string;
  authors: Author[];
  tags: string[];
  /** The item's section: display name and absolute URL of its HTML page. */
  category: { name: string; slug: string; url: string };
  /** Absolute URL. */
  image?: string;
  /** Source, licence and canonical URL of an article taken from elsewhere (RSS source/dc:rights, Atom via/rights, JSON external_url). */
  attribution?: Attribution;
  /**
   * What is known of `image`: its Content-Type (the file's when it is one of the site's media
   * files, else from the URL's extension) and, for the site's own files only, its length in bytes.
   * RSS `<enclosure>` needs both, so an image without a length gets none (Media RSS and the others still show it).
   */
  imageMedia?: { type: string; length?: number };
  publishedAt: Date;
  updatedAt: Date;
}

/**
 * One document's absolute URL in each format, keyed by the format's name (`rss`, `atom`, `json`:
 * the registry in formats.ts); a renderer reads its own.
 */
export type FeedLinks = Record<string, string>;

/** RFC 5005 §3 paging links, each given in every format; a renderer uses its own. */
export interface FeedPaging {
  first: FeedLinks;
  last: FeedLinks;
  previous?: FeedLinks;
  next?: FeedLinks;
}

export interface FeedMeta {
  /** Stable absolute IRI for the feed (Atom `feed/id`). */
  id: string;
  /** Plain text. */
  title: string;
  /** Plain text, never empty. */
  description: string;
  /** Absolute URL of the HTML page this feed mirrors. */
  homeUrl: string;
  /** Absolute URLs of this document in each format; the rendered format's is its self link (page included). */
  links: FeedLinks;
  /** Paging links (RFC 5005 §3); omitted when the whole feed is one page. */
  paging?: FeedPaging;
  /** WebSub hub URLs (W3C WebSub §4); empty for none. */
  hubs: string[];
  /** Absolute URL of a CSS stylesheet that browsers apply to the XML formats; omitted for none. */
  stylesheet?: string;
  /** BCP 47 language tag, e.g. `en`. */
  language: string;
  /** Feed-level updated: newest item's date, never "now". */
  updated: Date;
}
