// What the routes read from a request through Hono: slugs, whole numbers and a feed's query,
// each refused with a 404 or a 400 before it reaches the store or a Location header.
import type { Context } from 'hono';
import { MAX_FEED_LIMIT } from '../site/config.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import type { FeedFormat } from '../feed/formats.ts';
import type { FeedQuery } from './feed-query.ts';

/** The feed document a request for `format` asks for, from its `page` and `limit` parameters. */
export function feedQuery(c: Context, format: FeedFormat, feedLimit: number, section?: string): FeedQuery {
  const rawLimit = c.req.query('limit');
  return {
    format,
    section,
    page: parseWholeNumber(c.req.query('page'), 'page', 1, 1_000_000),
    limit: parseWholeNumber(rawLimit, 'limit', feedLimit, MAX_FEED_LIMIT),
    explicitLimit: rawLimit !== undefined,
  };
}

// Every section and article slug is URL-safe ASCII (see article/identity.ts). Anything else in
// those places names nothing we serve: it is a 404 before it can reach a Location header (an
// encoded "/" would make "//host" an off-site redirect; a control character is not a valid
// header byte) or the store.
export const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** The route parameter `name` when it is a slug; a 404 otherwise. */
export function slugParam(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  if (!SLUG.test(value) || value.length > 200) throw new NotFoundError('Not found');
  return value;
}

/** The query parameter `raw` as a whole number from 1 to `max`, `fallback` when absent; a 400 otherwise. */
export function parseWholeNumber(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^[1-9]\d{0,6}$/.test(raw) || Number(raw) > max) {
    throw new BadRequestError(`"${name}" must be a whole number from 1 to ${max}`);
  }
  return Number(raw);
}

