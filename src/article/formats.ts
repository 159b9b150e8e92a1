// The input formats: which file extensions each one takes and which parser reads it. A new format is a line here.
import type { ParseContext, ParsedFields } from './context.ts';
import { ARTICLE_FORMAT_NAMES, type ArticleFormat } from './format-names.ts';
import { parseMarkdown } from './parse-markdown.ts';
import { parseText } from './parse-text.ts';

/** How one article format is recognised and read. */
export interface ArticleFormatSpec {
  /** File extensions without the dot, lowercase (matched case-insensitively). */
  extensions: readonly string[];
  /** Reads the file's normalised text into the article's content fields. */
  parse: (context: ParseContext) => ParsedFields;
}

/** Every article format: the one table that file names, the parser and messages read. */
export const ARTICLE_FORMATS: Readonly<Record<ArticleFormat, ArticleFormatSpec>> = {
  txt: { extensions: ['txt'], parse: parseText },
  md: { extensions: ['md', 'markdown'], parse: parseMarkdown },
};

/** Every article extension, in table order: `['txt', 'md', 'markdown']`. */
export const ARTICLE_EXTENSIONS: readonly string[] = ARTICLE_FORMAT_NAMES.flatMap((format) => ARTICLE_FORMATS[format].extensions);

const BY_EXTENSION = new Map<string, ArticleFormat>(
  ARTICLE_FORMAT_NAMES.flatMap((format) => ARTICLE_FORMATS[format].extensions.map((extension) => [extension, format] as const)),
);

/** The article format for a file name, from its extension (case-insensitive). */
export function articleFormat(name: string): ArticleFormat | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? BY_EXTENSION.get(name.slice(dot + 1).toLowerCase()) : undefined;
}

/** The article extensions as messages list them: `.txt, .md or .markdown`. */
export function articleExtensionList(): string {
  const dotted = ARTICLE_EXTENSIONS.map((extension) => `.${extension}`);
  const last = dotted.pop();
  return dotted.length === 0 ? (last ?? '') : `${dotted.join(', ')} or ${last}`;
}
