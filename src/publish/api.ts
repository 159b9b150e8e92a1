// The authenticated publish API: article files in over HTTP, shared by Node and Workers.
// Only Hono and Web APIs here; the runtime supplies the Publisher (folder on Node, D1 on Workers).
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { applyBulk, DEFAULT_BULK_LIMITS, NDJSON, readBulkBody, splitLines, summarizeBulk, type BulkLimits } from './bulk.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { checkPublishPath, type MediaPublisher, type Publisher } from './contract.ts';
import { stripBasePath } from '../site/url-scheme.ts';
import { sha256 } from '../site/sha256.ts';

export interface PublishApiOptions {
  /** The bearer token every request must carry. Never logged, never echoed. */
  token: string;
  publisher: Publisher;
  /** Size cap of one uploaded file in bytes (MAX_FILE_BYTES). */
  maxBytes: number;
  /** One line per change and per refused token (default console.log). */
  log?: (line: string) => void;
  /** The caller's address, for the bad-token limit; default: the `CF-Connecting-IP` header. */
  getClientAddress?: (c: Context) => string | undefined;
  /** Bad-token requests allowed per client per minute before answering 429 (default 20). */
  maxBadTokens?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** BASE_URL's path (`/news`), which requests may carry in front of `/api` (createApp sets it). */
  basePath?: string;
  /** Accepts media files at `/api/media/{path}` (Node: into the folder; Workers: R2); without it those are 404s. */
  media?: MediaPublisher;
  /** Size cap of one media file in bytes (MEDIA_MAX_BYTES). */
  mediaMaxBytes?: number;
  /** Caps of one bulk upload (`POST /api/articles`, src/publish/bulk.ts); advertised in the listing. */
  bulk?: BulkLimits;
}

/** Largest `limit` of one listing page; without `limit` or `after` the listing is whole. */
export const MAX_LIST_PAGE = 5000;

/** The header that carries a file's modification time: ISO 8601 or epoch milliseconds. */
export const MTIME_HEADER = 'X-Wirefeed-Mtime';

const BAD_TOKEN_WINDOW_MS = 60_000;
const MAX_TRACKED_CLIENTS = 10_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const LATEST_MTIME = Date.UTC(2200, 0, 1);
const encoder = new TextEncoder();

/**
 * Builds the publish API as a Hono sub-app; createApp mounts it at `/api`.
 * @example
 * app.route('/api', createPublishApi({ token, publisher: createFolderPublisher({ dir, parseOptions }), maxBytes }));
 */
export function createPublishApi(options: PublishApiOptions): Hono {
  const { token, publisher, maxBytes, log = console.log, now = Date.now, basePath = '' } = options;
  if (!token) throw new ConfigError('createPublishApi: "token" is required: set PUBLISH_TOKEN');
  const clientOf = options.getClientAddress ?? ((c: Context) => c.req.header('CF-Connecting-IP'));
  const limiter = createBadTokenLimiter(options.maxBadTokens ?? 20, now);
  // Hashed on first use: Workers allow no crypto work while a module is being loaded.
  let expected: Promise<Uint8Array> | undefined;
  const api = new Hono();

  // `/articles/*` also matches `/articles`; other `/api/…` paths stay free (a section may be called "api").
  const authenticate: MiddlewareHandler = async function authenticate(c, next) {
    const client = clientOf(c) ?? 'unknown';
    const wait = limiter.blockedFor(client);
    if (wait > 0) return c.json({ error: 'too many bad tokens: try again later' }, 429, { 'Retry-After': String(wait) });
    const given = /^Bearer +(\S+) *$/i.exec(c.req.header('Authorization') ?? '')?.[1];
    if (given !== undefined && sameBytes(await digest(given), await (expected ??= digest(token)))) return next();
    limiter.failed(client);
    log(`[api] refused ${c.req.method} from ${client}: ${given === undefined ? 'no bearer token' : 'wrong token'}`);
    const challenge = given === undefined ? 'Bearer realm="wirefeed"' : 'Bearer realm="wirefeed", error="invalid_token"';
    return c.json({ error: 'missing or wrong bearer token' }, 401, { 'WWW-Authenticate': challenge });
  };
  api.use('/articles/*', authenticate);

  const bulk = options.bulk ?? DEFAULT_BULK_LIMITS;

  // Without `after` or `limit`: every file, as before paging (older clients). With either: one
  // page in path order, and `next`, the `after` of the next page (null after the last one).
  api.get('/articles', async function listFiles(c) {
    const after = c.req.query('after');
    const rawLimit = c.req.query('limit');
    if (after === undefined && rawLimit === undefined) return c.json({ files: await publisher.list(), bulk });
    const limit = rawLimit === undefined ? 1000 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_PAGE) return c.json({ error: `limit must be a whole number from 1 to ${MAX_LIST_PAGE}` }, 400);
    const files = await publisher.list({ ...(after === undefined ? {} : { after }), limit });
    return c.json({ files, next: files.length === limit ? files.at(-1)!.path : null, bulk });
  });

  api.post('/articles', async function putMany(c) {
    const type = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== NDJSON) return c.json({ error: `send the files as ${NDJSON}, one JSON object per line` }, 415);
    const body = await readBulkBody(c.req.raw, bulk.maxBytes);
    if (body === 'over') return c.json({ error: `batch is over the ${bulk.maxBytes}-byte limit: nothing applied` }, 413);
    const lines = splitLines(body.bytes).lines.length;
    if (lines > bulk.maxFiles) return c.json({ error: `batch has ${lines} lines, over the limit of ${bulk.maxFiles}: nothing applied` }, 413);
    const answer = await applyBulk(body, { publisher, maxFileBytes: maxBytes, parseMtime: (raw) => parseMtime(raw, now) });
    log(`[api] batch of ${answer.results.length}: ${summarizeBulk(answer.results)}${answer.truncated ? ' (cut off)' : ''}`);
    return c.json(answer);
  });

  api.put('/articles/*', async function putFile(c) {
    const checked = decodePublishPath(rawRest(c, basePath));
    if (!checked.ok) return c.json({ error: checked.reason }, 400);
    const mtime = parseMtime(c.req.header(MTIME_HEADER), now);
    if (!mtime) return c.json({ error: `${MTIME_HEADER} must be an ISO 8601 date-time or epoch milliseconds, 1970 to 2199` }, 400);
    const bytes = await readCapped(c.req.raw, maxBytes);
    if (!bytes) return c.json({ error: `file is over the ${maxBytes}-byte limit` }, 413);
    const outcome = await publisher.put(checked.path, bytes, mtime);
    if (!outcome.ok) return c.json({ error: outcome.reason }, outcome.status);
    if (outcome.change !== 'unchanged') log(`[api] ${outcome.change} ${checked.path}`);
    return c.json({ path: checked.path, change: outcome.change }, outcome.change === 'created' ? 201 : 200);
  });

  api.delete('/articles/*', async function deleteFile(c) {
    const checked = decodePublishPath(rawRest(c, basePath));
    if (!checked.ok) return c.json({ error: checked.reason }, 400);
    if (!(await publisher.remove(checked.path))) return c.json({ error: 'no such file' }, 404);
    log(`[api] deleted ${checked.path}`);
    return c.body(null, 204);
  });

  if (options.media) mediaRoutes(api, options.media, options.mediaMaxBytes ?? maxBytes, authenticate, log, basePath);

  api.notFound((c) => c.json({ error: 'not found' }, 404));

  api.onError(function handleApiError(error, c) {
    log(`[api] ${c.req.method} ${c.req.path} failed: ${errorMessage(error)}`);
    return c.json({ error: 'internal error' }, 500);
  });

  return api;
}

/** `/api/media`: list, PUT and DELETE media files, with the type allow-list and MEDIA_MAX_BYTES. */
function mediaRoutes(api: Hono, media: MediaPublisher, maxBytes: number, authenticate: MiddlewareHandler, log: (line: string) => void, basePath: string): void {
  api.use('/media/*', authenticate);
  api.get('/media', async function listMedia(c) {
    return c.json({ files: await media.list() });
  });
  api.put('/media/*', async function putMedia(c) {
    const checked = decodePublishPath(rawRest(c, basePath), 'media');
    if (!checked.ok) return c.json({ error: checked.reason }, 400);
    const bytes = await readCapped(c.req.raw, maxBytes);
    if (!bytes) return c.json({ error: `file is over the ${maxBytes}-byte limit (MEDIA_MAX_BYTES)` }, 413);
    const outcome = await media.put(checked.path, bytes);
    if (!outcome.ok) return c.json({ error: outcome.reason }, outcome.status);
    if (outcome.change !== 'unchanged') log(`[api] ${outcome.change} ${checked.path}`);
    return c.json({ path: checked.path, change: outcome.change }, outcome.change === 'created' ? 201 : 200);
  });
  api.delete('/media/*', async function deleteMedia(c) {
    const checked = decodePublishPath(rawRest(c, basePath), 'media');
    if (!checked.ok) return c.json({ error: checked.reason }, 400);
    if (!(await media.remove(checked.path))) return c.json({ error: 'no such file' }, 404);
    log(`[api] deleted ${checked.path}`);
    return c.body(null, 204);
  });
}

/**
 * Turns the still-encoded path after `/api/articles/` into a checked article path: decoded
 * exactly once, with no encoded separators (`%2F`, `%5C`) and nothing left encoded after that.
 */
export function decodePublishPath(raw: string, kind: 'article' | 'media' = 'article'): { ok: true; path: string } | { ok: false; reason: string } {
  if (/%(2f|5c)/i.test(raw)) return { ok: false, reason: 'path must not contain encoded "/" or "\\"' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'path is not valid percent-encoded UTF-8' };
  }
  if (/%[0-9a-f]{2}/i.test(decoded)) return { ok: false, reason: 'path must be percent-encoded once, not twice' };
  return checkPublishPath(decoded, kind);
}

/** The raw (undecoded) part of the URL path that the route's `*` matched. */
function rawRest(c: Context, basePath: string): string {
  const prefix = routePath(c).replace(/\*$/, '');
  const pathname = stripBasePath(new URL(c.req.url).pathname, basePath);
  return pathname.startsWith(prefix) ? pathname.slice(prefix.length) : '';
}

function parseMtime(raw: string | undefined, now: () => number): Date | undefined {
  if (raw === undefined) return new Date(now());
  const value = raw.trim();
  const time = /^\d{1,15}$/.test(value) ? Number(value) : ISO_DATE.test(value) ? Date.parse(value) : NaN;
  // 1970 to 2199: a file's time, not a far-off date (see fileTimes in src/node/folder-publisher.ts).
  return time >= 0 && time < LATEST_MTIME ? new Date(time) : undefined;
}

/** The request body, or undefined once it is known to exceed `maxBytes` (never reads past it). */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) return undefined;
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

async function digest(text: string): Promise<Uint8Array> {
  return sha256(encoder.encode(text));
}

/** Compares two digests in constant time: every byte is looked at, whatever differs first. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** Counts bad-token requests per client in a fixed one-minute window, in a bounded map. */
function createBadTokenLimiter(limit: number, now: () => number) {
  const clients = new Map<string, { count: number; resetAt: number }>();

  function current(client: string) {
    const entry = clients.get(client);
    if (entry && entry.resetAt <= now()) {
      clients.delete(client);
      return undefined;
    }
    return entry;
  }

  function makeRoom() {
    const time = now();
    for (const [client, entry] of clients) if (entry.resetAt <= time) clients.delete(client);
    // Still full: forget the oldest window first (a Map iterates in insertion order).
    while (clients.size >= MAX_TRACKED_CLIENTS) clients.delete(clients.keys().next().value!);
  }

  return {
    /** Seconds until `client` may try again; 0 when it may now. */
    blockedFor(client: string): number {
      const entry = current(client);
      return entry && entry.count >= limit ? Math.max(1, Math.ceil((entry.resetAt - now()) / 1000)) : 0;
    },
    failed(client: string): void {
      const entry = current(client);
      if (entry) entry.count += 1;
      else {
        if (clients.size >= MAX_TRACKED_CLIENTS) makeRoom();
        clients.set(client, { count: 1, resetAt: now() + BAD_TOKEN_WINDOW_MS });
      }
    },
  };
}
