// What the format parsers receive and return; `parse.ts` adds the path-derived fields.
import type { Article, ArticleSource, ParseOptions } from './types.ts';

export interface ParseContext {
  /** Normalised path segments inside the articles folder. */
  segments: readonly string[];
  /** Top folder the file sits under, if any: it names the section. */
  folder: string | undefined;
  /** Normalised, non-empty text of the file. */
  text: string;
  /** The source's times, for articleDates. */
  times: Pick<ArticleSource, 'mtime' | 'firstSeenAt' | 'changedAt'>;
  options: ParseOptions;
}

/** The content fields of an article, plus a front-matter id when the file gave one. */
export type ParsedFields = Pick<
  Article,
  'section' | 'title' | 'summary' | 'html' | 'authors' | 'tags' | 'image' | 'attribution' | 'publishedAt' | 'updatedAt' | 'draft'
> & { customId?: string };
