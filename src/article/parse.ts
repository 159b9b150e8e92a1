// The article parser's entry point: bytes and a path in, an `Article` or a reason out. No IO.
import { ArticleParseError, errorMessage } from '../errors.ts';
import type { ParseContext, ParsedFields } from './context.ts';
import { decodeArticleBytes, oversizeReason } from './decode.ts';
import { ARTICLE_FORMATS, articleExtensionList, articleFormat } from './formats.ts';
import { articleId, fileSlug, pathSegments, sectionSlug, topFolder } from './identity.ts';
import { escapeHtml, normaliseText, summarise } from './normalise.ts';
import { isArticlePath } from './paths.ts';
import { ArticleRejection, reject } from './reject.ts';
import type { Article, ArticleSource, ParseOptions, ParseResult } from './types.ts';

export { isArticlePath, oversizeReason, sectionSlug };

/**
 * Bumped whenever the same bytes and options may parse to something different: the Node intake
 * keeps parsed articles between runs (src/node/intake/state/intake-state.ts) and re-reads every file when
 * this differs from the version they were parsed with.
 */
export const PARSER_VERSION = 4;

/**
 * Parses one article file. Never throws: every failure, expected or not, comes back as
 * `{ ok: false, error: ArticleParseError }` with the file's path and a human reason.
 *
 * @example
 * const result = parseArticle({ path: 'politics/talks.txt', bytes, mtime }, options);
 * if (!result.ok) console.warn(`[watcher] ${result.error.message}`);
 */
export function parseArticle(source: ArticleSource, options: ParseOptions): ParseResult {
  try {
    return { ok: true, article: buildArticle(source, options) };
  } catch (error) {
    const reason =
      error instanceof ArticleRejection
        ? error.message
        : `unexpected error: ${errorMessage(error)}`;
    return { ok: false, error: new ArticleParseError(source.path, reason, { cause: error }) };
  }
}

function buildArticle(source: ArticleSource, options: ParseOptions): Article {
  const segments = pathSegments(source.path);
  const path = segments.join('/');
  const format = articleFormat(segments.at(-1) ?? '');
  if (format === undefined || !isArticlePath(path)) {
    reject(`not an article file (expected ${articleExtensionList()}; hidden and temp files are skipped)`);
  }
  if (!(source.mtime instanceof Date) || Number.isNaN(source.mtime.getTime())) {
    reject('modification time is not a valid date');
  }

  const text = normaliseText(decodeArticleBytes(source.bytes, options.maxBytes));
  if (text.trim() === '') reject('empty file');

  const { mtime, firstSeenAt, changedAt } = source;
  const times = { mtime, firstSeenAt, changedAt };
  const context: ParseContext = { segments, folder: topFolder(segments), text, times, options };
  const fields = ARTICLE_FORMATS[format].parse(context);
  return assemble(path, segments, format, withShortLines(fields), options);
}

/** Longest headline kept as it is; the longest seen in the Wikinews corpus is 115 characters. */
export const TITLE_MAX = 300;
/** Longest section name kept as it is. */
export const SECTION_MAX = 100;

/**
 * A headline over TITLE_MAX characters is a missing line break more often than a headline (a
 * whole article on line two), and it would fill every feed that lists it: it is shortened at a
 * word boundary with "…" and given in full as the body's first paragraph, so nothing is lost.
 * A section name over SECTION_MAX is shortened the same way (the name shows in every feed title).
 */
function withShortLines(fields: ParsedFields): ParsedFields {
  const section = fields.section.length > SECTION_MAX ? summarise(fields.section, SECTION_MAX) : fields.section;
  if (fields.title.length <= TITLE_MAX) return { ...fields, section };
  const full = fields.title;
  return {
    ...fields,
    section,
    title: summarise(full, TITLE_MAX),
    summary: fields.summary === full ? summarise(full) : fields.summary,
    html: [`<p>${escapeHtml(full)}</p>`, fields.html].filter((part) => part !== '').join('\n'),
  };
}

function assemble(
  path: string,
  segments: readonly string[],
  format: Article['format'],
  fields: ParsedFields,
  options: ParseOptions,
): Article {
  const { customId, image, attribution, ...rest } = fields;
  return {
    path,
    id: articleId(segments, options.idAuthority, customId),
    slug: fileSlug(segments),
    section: rest.section,
    sectionSlug: sectionSlug(rest.section),
    title: rest.title,
    summary: rest.summary,
    html: rest.html,
    authors: rest.authors,
    tags: rest.tags,
    ...(image === undefined ? {} : { image }),
    ...(attribution === undefined ? {} : { attribution }),
    publishedAt: rest.publishedAt,
    updatedAt: rest.updatedAt,
    draft: rest.draft,
    format,
  };
}
