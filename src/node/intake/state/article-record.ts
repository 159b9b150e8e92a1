// Article <-> the JSON-safe form the journal holds (no body), and the shape check applied to every loaded record.
import { isArticleFormat } from '../../../article/format-names.ts';
import type { Article, ArticleMeta, Attribution, Author } from '../../../article/types.ts';
import type { FileRecord, StoredArticle } from './types.ts';

/** Article -> JSON-safe form: dates become epoch ms, the body is left out; optional fields appear only when set. */
export function toStoredArticle(article: Article | ArticleMeta): StoredArticle {
  const stored: StoredArticle = {
    path: article.path,
    id: article.id,
    slug: article.slug,
    section: article.section,
    sectionSlug: article.sectionSlug,
    title: article.title,
    authors: article.authors.map(copyAuthor),
    tags: [...article.tags],
    publishedAt: epochOrNull(article.publishedAt),
    updatedAt: epochOrNull(article.updatedAt),
    draft: article.draft,
    format: article.format,
  };
  if (article.image !== undefined) stored.image = article.image;
  if (article.attribution !== undefined) stored.attribution = { ...article.attribution };
  return stored;
}

/** The inverse of `toStoredArticle`, less the body; `contentHash` names the file version it came from. */
export function fromStoredArticle(stored: StoredArticle, contentHash: string): ArticleMeta {
  const article: ArticleMeta = {
    path: stored.path,
    id: stored.id,
    slug: stored.slug,
    section: stored.section,
    sectionSlug: stored.sectionSlug,
    title: stored.title,
    authors: stored.authors.map(copyAuthor),
    tags: [...stored.tags],
    publishedAt: new Date(stored.publishedAt ?? Number.NaN),
    updatedAt: new Date(stored.updatedAt ?? Number.NaN),
    draft: stored.draft,
    format: stored.format,
    contentHash,
  };
  if (stored.image !== undefined) article.image = stored.image;
  if (stored.attribution !== undefined) article.attribution = { ...stored.attribution };
  return article;
}

function copyAuthor(author: Author): Author {
  const copy: Author = { name: author.name };
  if (author.email !== undefined) copy.email = author.email;
  if (author.url !== undefined) copy.url = author.url;
  return copy;
}

// An invalid Date would become NaN, which JSON writes as null: say so in the type instead.
function epochOrNull(date: Date): number | null {
  const ms = date.getTime();
  return Number.isNaN(ms) ? null : ms;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

const ATTRIBUTION_KEYS: ReadonlySet<string> = new Set<keyof Attribution>([
  'source',
  'sourceUrl',
  'sourceFeed',
  'license',
  'licenseUrl',
  'canonical',
]);

/** An attribution record: only its known keys, each a string. */
function isAttribution(value: unknown): boolean {
  return isObject(value) && Object.entries(value).every(([key, item]) => ATTRIBUTION_KEYS.has(key) && typeof item === 'string');
}

function isStoredArticle(value: unknown): value is StoredArticle {
  if (!isObject(value)) return false;
  const strings = ['path', 'id', 'slug', 'section', 'sectionSlug', 'title'];
  if (!strings.every((key) => typeof value[key] === 'string')) return false;
  const dateOk = (v: unknown) => v === null || typeof v === 'number';
  return (
    Array.isArray(value.authors) &&
    value.authors.every((a) => isObject(a) && typeof a.name === 'string') &&
    isStringArray(value.tags) &&
    (value.image === undefined || typeof value.image === 'string') &&
    (value.attribution === undefined || isAttribution(value.attribution)) &&
    dateOk(value.publishedAt) &&
    dateOk(value.updatedAt) &&
    typeof value.draft === 'boolean' &&
    isArticleFormat(value.format)
  );
}

/** A structural check of a record read back from the journal (its checksum was already right). */
export function isFileRecord(value: unknown): value is FileRecord {
  if (!isObject(value)) return false;
  const numbers = ['size', 'mtimeMs', 'ino', 'firstSeenAt'];
  if (typeof value.path !== 'string' || typeof value.hash !== 'string') return false;
  if (!numbers.every((key) => typeof value[key] === 'number')) return false;
  if (value.changedAt !== null && typeof value.changedAt !== 'number') return false;
  const result = value.result;
  if (!isObject(result)) return false;
  if (result.ok === true) return isStoredArticle(result.article);
  return result.ok === false && typeof result.reason === 'string';
}
