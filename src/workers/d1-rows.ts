// Articles to D1 rows and back: dates as epoch milliseconds, authors and tags as JSON text.
import type { Article, Author } from '../article/types.ts';
import { suffixedSlug } from '../store/slugs.ts';
import type { ListedArticle } from '../store/types.ts';

/** An `articles` row as D1 returns it (column names as in schema.ts). */
export interface ArticleRow {
  path: string;
  id: string;
  slug: string;
  alt_slug: string;
  section: string;
  section_slug: string;
  title: string;
  summary: string;
  html: string;
  authors: string;
  tags: string;
  image: string | null;
  published_at: number;
  updated_at: number;
  format: Article['format'];
}

/** A row from a listing query: the article plus its resolved page slug and section name. */
export interface ListedRow extends ArticleRow {
  page_slug: string;
  section_name: string;
}

/** The values for ARTICLE_COLUMNS, in that order. */
export function articleValues(article: Article): unknown[] {
  return [
    article.path,
    article.id,
    article.slug,
    suffixedSlug(article.slug, article.path),
    article.section,
    article.sectionSlug,
    article.title,
    article.summary,
    article.html,
    canonicalJson(article.authors),
    canonicalJson(article.tags),
    article.image ?? null,
    article.publishedAt.getTime(),
    article.updatedAt.getTime(),
    article.format,
  ];
}

export function articleFromRow(row: ArticleRow): Article {
  return {
    path: row.path,
    id: row.id,
    slug: row.slug,
    section: row.section,
    sectionSlug: row.section_slug,
    title: row.title,
    summary: row.summary,
    html: row.html,
    authors: JSON.parse(row.authors) as Author[],
    tags: JSON.parse(row.tags) as string[],
    ...(row.image === null ? {} : { image: row.image }),
    publishedAt: new Date(row.published_at),
    updatedAt: new Date(row.updated_at),
    draft: false,
    format: row.format,
  };
}

export function listedFromRow(row: ListedRow): ListedArticle {
  const { html: _html, summary: _summary, ...article } = articleFromRow(row);
  return { article, version: rowVersion(row), slug: row.page_slug, sectionName: row.section_name };
}

/** A name for the row's content (every stored column but the slugs, which the listing resolves). */
export function rowVersion(row: ArticleRow): string {
  const text = [row.path, row.id, row.slug, row.section, row.title, row.summary, row.html, row.authors, row.tags, row.image, row.published_at, row.updated_at, row.format].join('\u0000');
  // FNV-1a, two 32-bit lanes: a cache key, not a security boundary.
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return (a >>> 0).toString(36) + (b >>> 0).toString(36);
}

/**
 * JSON with object keys sorted and `undefined` members dropped, so two articles the memory
 * store calls equal (`deepEqual`) store the same text and SQL can compare them with `IS`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort()) {
      const member = (item as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = member;
    }
    return sorted;
  });
}

/** Why the article's dates cannot be stored, or undefined when both are real instants. */
export function invalidDates(article: Article): string | undefined {
  for (const field of ['publishedAt', 'updatedAt'] as const) {
    const value: unknown = article[field];
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      return `${field} is not a valid date`;
    }
  }
  return undefined;
}

/** A count from a caller: negative or NaN means 0, fractions round down, huge means "all". */
export function toCount(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(Math.max(0, Math.floor(value)), Number.MAX_SAFE_INTEGER);
}
