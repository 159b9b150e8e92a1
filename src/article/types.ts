// The shared article model: what parsing produces and every later stage reads.
import type { ArticleParseError } from '../errors.ts';
import type { ArticleFormat } from './format-names.ts';

export interface Author {
  name: string;
  email?: string;
  url?: string;
}

/**
 * Credit for an article taken from elsewhere, from its front matter. Plain text and absolute
 * http(s) URLs; a source given only as a URL is named by its host.
 */
export interface Attribution {
  /** Name of the source, plain text: `Wikinews`. Present whenever `sourceUrl` is. */
  source?: string;
  /** The original article. */
  sourceUrl?: string;
  /** The source's own feed (RSS `<source url>`, which names the channel an item came from). */
  sourceFeed?: string;
  /** Licence name as written, plain text: `CC BY 2.5`. Present whenever `licenseUrl` is. */
  license?: string;
  /** The licence's text or deed: given, or known from the name (Creative Commons). */
  licenseUrl?: string;
  /** The URL search engines should treat as this article's (the page's `<link rel="canonical">`). */
  canonical?: string;
}

/** One parsed, normalised article. Plain-text fields hold text, never markup. */
export interface Article {
  /** Path inside the articles folder, POSIX separators, no leading slash: `politics/talks.txt`. */
  path: string;
  /** Absolute IRI, stable across restarts and title edits (front-matter `id` or derived from `path`). */
  id: string;
  /** URL-safe ASCII slug from the file name; the store adds a suffix on collision. */
  slug: string;
  /** Section spelling as this article gives it (trimmed), e.g. `Politics and conflicts`. */
  section: string;
  /** Folded section slug: `politics-and-conflicts`. */
  sectionSlug: string;
  /** Plain text. */
  title: string;
  /** Plain text, short (first paragraph or front-matter `summary`). */
  summary: string;
  /** Sanitised HTML of the body. */
  html: string;
  authors: Author[];
  tags: string[];
  /** Absolute URL. */
  image?: string;
  /** Where the article comes from and under which licence (front matter); absent when it says nothing. */
  attribution?: Attribution;
  publishedAt: Date;
  updatedAt: Date;
  /** `draft: true` in front matter: never published. */
  draft: boolean;
  format: ArticleFormat;
  /**
   * Hash of the source bytes the article was parsed from, when the caller knows it (the intake
   * and the publishers do). Stores that load bodies lazily compare it to tell versions apart.
   */
  contentHash?: string;
}

/** An article without its body and summary: what stores keep in memory and list. */
export type ArticleMeta = Omit<Article, 'html' | 'summary'>;

/** The parts of an article only its page and feed items show, which a lean store does not hold. */
export interface ArticleContent {
  /** Sanitised HTML of the body. */
  html: string;
  /** Plain text. */
  summary: string;
}

/** What a file gives the parser: its path, raw bytes and times. No IO happens in parsing. */
export interface ArticleSource {
  path: string;
  bytes: Uint8Array;
  mtime: Date;
  /** When wirefeed first saw this path (kept by the caller); absent = `mtime`. Dates the article. */
  firstSeenAt?: Date;
  /** When the content (by hash) last changed after the path was first seen; absent = never. */
  changedAt?: Date;
}

export interface ParseOptions {
  /** Absolute site URL without trailing slash, used to make relative image links absolute. */
  baseUrl: string;
  /** Authority in `tag:` ids (RFC 4151), e.g. `example.com`. */
  idAuthority: string;
  /** Section for files with none (default `General`). */
  defaultSection: string;
  /** Size cap in bytes (default 1 MiB). */
  maxBytes: number;
}

export type ParseResult = { ok: true; article: Article } | { ok: false; error: ArticleParseError };
