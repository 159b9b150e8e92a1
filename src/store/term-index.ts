// One tag or author as the memory driver holds it: an ArticleIndex (its articles newest first, its
// display name and newest update), without page slugs: an article's page is under its section.
export { ArticleIndex as TermIndex } from './article-index.ts';
