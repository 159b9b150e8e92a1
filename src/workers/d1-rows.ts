// Articles to D1 rows and back: dates as epoch milliseconds, authors, tags and attribution as JSON text.
import type { Article, ArticleMeta, Attribution, Author } from '../article/types.ts';
import { sha256Hex } from '../site/sha256.ts';
import { suffixedSlug } from '../store/slugs.ts';
import type { ListedArticle } from '../store/types.ts';
import { termsJson } from './schema.ts';

/**
 * The columns of an `articles` row that an ArticleMeta is made from, as the read queries select
 * them (column names as in schema.ts): never the body or the summary, which `content` reads.
 */
export interface MetaRow {
  path: string;
  id: string;
  slug: string;
  section: string;
  section_slug: string;
  title: string;
  authors: string;
  tags: string;
  image: string | null;
  attribution: string | null;
  published_at: number;
  updated_at: number;
  format: Article['format'];
  version: string;
}

/** A row from a listing query: the article plus its resolved page slug and section name. */
export interface ListedRow extends MetaRow {
  page_slug: string;
  section_name: string;
}

/** An article as the store writes it: with the name of its content (schema.ts `version`). */
export interface VersionedArticle {
  article: Article;
  version: string;
}

/** The values for CONTENT_COLUMNS, in that order. */
function contentValues(article: Article): unknown[] {
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
    article.attribution === undefined ? null : canonicalJson(article.attribution),
    article.publishedAt.getTime(),
    article.updatedAt.getTime(),
    article.format,
  ];
}

/** The values for ARTICLE_COLUMNS, in that order. */
export function articleValues({ article, version }: VersionedArticle): unknown[] {
  return [...contentValues(article), version, termsJson(article)];
}

const encoder = new TextEncoder();

/**
 * Names `article`'s content: SHA-256 of the values its row stores. Every isolate computes the
 * same name for the same content, and any change to what is stored changes it (a row is never
 * changed in place, so the name is computed once, when the row is written).
 */
export async function versioned(article: Article): Promise<VersionedArticle> {
  return { article, version: await sha256Hex(encoder.encode(JSON.stringify(contentValues(article)))) };
}

export function metaFromRow(row: MetaRow): ArticleMeta {
  return {
    path: row.path,
    id: row.id,
    slug: row.slug,
    section: row.section,
    sectionSlug: row.section_slug,
    title: row.title,
    authors: JSON.parse(row.authors) as Author[],
    tags: JSON.parse(row.tags) as string[],
    ...(row.image === null ? {} : { image: row.image }),
    ...(row.attribution === null ? {} : { attribution: JSON.parse(row.attribution) as Attribution }),
    publishedAt: new Date(row.published_at),
    updatedAt: new Date(row.updated_at),
    draft: false,
    format: row.format,
  };
}

export function listedFromRow(row: ListedRow): ListedArticle {
  return { article: metaFromRow(row), version: row.version, slug: row.page_slug, sectionName: row.section_name };
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
