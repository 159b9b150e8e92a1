// Builders for store tests: a fresh Article per call, with fixed dates.
import type { Article } from '../../src/article/types.ts';

/** A fixed instant: noon UTC on day `n` of March 2024, plus `minutes`. */
export function day(n: number, minutes = 0): Date {
  return new Date(Date.UTC(2024, 2, n, 12, minutes));
}

/**
 * An article with defaults derived from its path, so different paths never share an id or slug
 * by accident: `sport/final.md` is in section `Sport` (`sport`), slug `final`.
 */
export function makeArticle(overrides: Partial<Article> = {}): Article {
  const path = overrides.path ?? 'news/launch.md';
  const folder = path.includes('/') ? path.slice(0, path.indexOf('/')) : 'news';
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
  return {
    path,
    id: `tag:example.com,2024:${path}`,
    slug: name,
    section: folder.charAt(0).toUpperCase() + folder.slice(1),
    sectionSlug: folder,
    title: `About ${name}`,
    summary: `A short summary of ${name}.`,
    html: `<p>The body of ${name}.</p>`,
    authors: [{ name: 'Ada Reporter', email: 'ada@example.com' }],
    tags: ['world', 'launch'],
    publishedAt: day(1),
    updatedAt: day(1),
    draft: false,
    format: 'md',
    ...overrides,
  };
}
