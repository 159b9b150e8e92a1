// Internal control flow for parse failures: helpers throw, `parseArticle` turns it into a value.

/** A parse failure with a human reason; never escapes `parseArticle`. */
export class ArticleRejection extends Error {
  override readonly name = 'ArticleRejection';
}

/** Stops parsing this file with a reason a person can act on. */
export function reject(reason: string): never {
  throw new ArticleRejection(reason);
}
