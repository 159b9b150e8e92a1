// Our error classes (`app.onError` and the watcher tell them apart with `instanceof`), and how a
// message names any thrown value.

/** A file that cannot become an article: carries the file's path and a human reason. */
export class ArticleParseError extends Error {
  override readonly name = 'ArticleParseError';
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason}`, options);
  }
}

/** A request for a section or article that does not exist. Maps to 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A request with a bad parameter (query value, path). Maps to 400. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** A storage driver failure, wrapping the driver's own error as `cause`. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Bad configuration: thrown at start-up, with the fix in the message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What a log line or a wrapping error says about `error`: its message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
