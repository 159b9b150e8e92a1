// Builders shared by the article tests: fresh sources and options per call, and result unwrapping.
import { expect } from 'vitest';
import { parseArticle } from '../../src/article/parse.ts';
import type { Article, ArticleSource, ParseOptions } from '../../src/article/types.ts';

export const MTIME = new Date('2024-05-06T07:08:09.000Z');

/** Options for a test site; override any field. */
export function makeOptions(overrides: Partial<ParseOptions> = {}): ParseOptions {
  return {
    baseUrl: 'https://news.example.com',
    idAuthority: 'news.example.com',
    defaultSection: 'General',
    maxBytes: 1_048_576,
    ...overrides,
  };
}

/** A source from text (UTF-8 encoded) or raw bytes. */
export function makeSource(path: string, content: string | Uint8Array, mtime = MTIME): ArticleSource {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { path, bytes, mtime };
}

/** Parses and expects success, returning the article. */
export function parseOk(path: string, content: string | Uint8Array, options?: Partial<ParseOptions>): Article {
  const result = parseArticle(makeSource(path, content), makeOptions(options));
  if (!result.ok) expect.fail(`expected ${path} to parse, got: ${result.error.reason}`);
  return result.article;
}

/** Parses and expects failure, returning the reason. */
export function parseReason(path: string, content: string | Uint8Array, options?: Partial<ParseOptions>): string {
  const result = parseArticle(makeSource(path, content), makeOptions(options));
  if (result.ok) expect.fail(`expected ${path} to be rejected, got title "${result.article.title}"`);
  return result.error.reason;
}

/** A Markdown file with the given front-matter lines and body. */
export function markdown(frontMatter: string[], body = 'Body text.\n'): string {
  return ['---', ...frontMatter, '---', '', body].join('\n');
}
