// Real articles for app-level tests: text through the real parser into a real memory store.
import { parseArticle } from '../../src/article/parse.ts';
import type { Article, ParseOptions } from '../../src/article/types.ts';
import { resolveConfig, type SiteConfig } from '../../src/site/config.ts';

export const SITE: SiteConfig = resolveConfig({ BASE_URL: 'http://feeds.test', SITE_TITLE: 'Test Site' }).site;

export const PARSE_OPTIONS: ParseOptions = {
  baseUrl: SITE.baseUrl,
  idAuthority: SITE.idAuthority,
  defaultSection: 'General',
  maxBytes: 1024 * 1024,
};

/** Parses `text` as the file at `path` with modification time `mtime`; throws on a parse failure. */
export function makeParsed(path: string, text: string, mtime = new Date('2025-03-01T12:00:00Z')): Article {
  const result = parseArticle({ path, bytes: new TextEncoder().encode(text), mtime }, PARSE_OPTIONS);
  if (!result.ok) throw result.error;
  return result.article;
}

/** A .txt article in `section`, dated `day` days after 2025-01-01. */
export function txt(section: string, name: string, day: number, body = 'Body text.'): Article {
  return makeParsed(`${name}.txt`, `${section}\n\n${name} headline\n\n${body}`, new Date(Date.UTC(2025, 0, 1 + day, 12)));
}
