// The shared article model: what parsing produces and every later stage reads.
import type { ArticleParseError } from '../errors.ts';

export interface Author {
  name: string;
  email?: string;
  url?: string;
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
  publishedAt: Date;
  updatedAt: Date;
  /** `draft: true` in front matter: never published. */
  draft: boolean;
  format: 'txt' | 'md';
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
