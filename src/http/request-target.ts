// Request targets read as they were sent, without a router: the path and query of a URL, Hono's
// path without BASE_URL's path, and the feed document a canonical feed URL names (the fast path).
import { Hono } from 'hono';
import { MAX_FEED_LIMIT } from '../site/config.ts';
import { FEED_FORMATS, FORMAT_DEFINITIONS } from '../feed/formats.ts';
import { TERM_KINDS } from '../store/terms.ts';
import { FEED_FILE_PATTERN, stripBasePath, TERM_FOLDERS } from '../site/url-scheme.ts';
import { feedQueryString, type FeedQuery } from './feed-query.ts';

/**
 * Hono's own request path (decoded as Hono decodes it) without the base path in front, for
 * `new Hono({ getPath })`: `/news/politics/` and `/politics/` route alike.
 */
export function routedPath(basePath: string): (request: Request) => string {
  const honoPath = new Hono().getPath;
  const decodedBase = honoPath(new Request(`http://base${basePath}`));
  return (request) => stripBasePath(honoPath(request), decodedBase);
}

/** The path of a request URL as sent (still percent-encoded), without query or fragment. */
export function rawPathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf(':') + 3);
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

const FEED_TARGET = new RegExp(
  `^/(?:(${TERM_KINDS.map((kind) => TERM_FOLDERS[kind]).join('|')})/([a-z0-9][a-z0-9-]*)/|([a-z0-9][a-z0-9-]*)/)?(${FEED_FILE_PATTERN})(\\?.*)?$`,
);
const KIND_OF_FOLDER = new Map(TERM_KINDS.map((kind) => [TERM_FOLDERS[kind], kind]));
const FORMAT_OF_FILE = new Map(FEED_FORMATS.map((format) => [FORMAT_DEFINITIONS[format].file, format]));
const CANONICAL_SEARCH = /^(?:\?(?:page=(\d+)(?:&limit=(\d+))?|limit=(\d+)))?$/;

/**
 * The document a request target names, when it is a feed URL the app would serve as it is
 * (no redirect, no 400); undefined for anything else, which the app then answers.
 */
export function feedQueryOf(target: string, feedLimit: number): FeedQuery | undefined {
  const route = FEED_TARGET.exec(target);
  if (!route) return undefined;
  const [, folder, termSlug, section, file, search = ''] = route;
  if ((section ?? termSlug ?? '').length > 200) return undefined;
  const params = CANONICAL_SEARCH.exec(search);
  if (!params) return undefined;
  const [, pageText, pagedLimit, onlyLimit] = params;
  const limitText = pagedLimit ?? onlyLimit;
  const page = pageText === undefined ? 1 : wholeNumber(pageText, 1_000_000);
  const limit = limitText === undefined ? feedLimit : wholeNumber(limitText, MAX_FEED_LIMIT);
  if (page === undefined || limit === undefined) return undefined;
  const kind = folder === undefined ? undefined : KIND_OF_FOLDER.get(folder);
  const query: FeedQuery = { format: FORMAT_OF_FILE.get(file!)!, section, ...(kind ? { [kind]: termSlug } : {}), page, limit, explicitLimit: limitText !== undefined };
  return feedQueryString(page, limit, query.explicitLimit) === search ? query : undefined;
}

function wholeNumber(text: string, max: number): number | undefined {
  return /^[1-9]\d{0,6}$/.test(text) && Number(text) <= max ? Number(text) : undefined;
}

/**
 * `new URL(url).search` for the URLs a request can carry (serialised: every character the
 * parser would escape already escaped), without parsing the rest of it.
 */
export function searchOf(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return '';
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < query) return '';
  const search = hash === -1 ? url.slice(query) : url.slice(query, hash);
  return search === '?' ? '' : search;
}

