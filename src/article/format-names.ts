// The article formats' names: what `Article.format`, the D1 `format` column and the Node journal hold.

/** Every article format, by name; formats.ts gives each one its extensions and its parser. */
export const ARTICLE_FORMAT_NAMES = ['txt', 'md'] as const;

/** An article format's name: `txt` or `md`. */
export type ArticleFormat = (typeof ARTICLE_FORMAT_NAMES)[number];

/** True for a known format name, e.g. the `format` of a record read back from a store. */
export function isArticleFormat(value: unknown): value is ArticleFormat {
  return (ARTICLE_FORMAT_NAMES as readonly unknown[]).includes(value);
}
