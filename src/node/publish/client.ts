// The publish API's HTTP client for `wirefeed publish`: the token on every request, a timeout,
// and retries with backoff on network errors, 5xx and 429; a 401 stops everything at once.
import { MTIME_HEADER } from '../../publish/api.ts';
import { NDJSON, type BulkLimits } from '../../publish/bulk.ts';
import type { StoredFile } from '../../publish/contract.ts';
import { backoffDelay, retryAfterMs } from '../../publish/retry.ts';

/** One answer of `GET /api/articles?limit=N`: `next` is missing from an older server's (whole) listing. */
export interface ListingPage {
  files: StoredFile[];
  /** The `after` of the next page; null after the last one; undefined: the server does not page. */
  next?: string | null;
  /** The server's bulk caps; undefined: it takes single PUTs only. */
  bulk?: BulkLimits;
}

/** Files per listing page that `publish` asks for. */
export const LIST_PAGE = 1000;

export interface ClientOptions {
  /** The server's base URL. */
  to: string;
  token: string;
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff step in ms (default 500), doubled per retry with jitter. */
  retryBaseMs?: number;
  signal?: AbortSignal;
}

/** The server refused the token: nothing else will succeed, so the run stops. */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
}

/**
 * The server has no publish API at `--to` (404 where a running API never answers one): it was
 * started without PUBLISH_TOKEN, or `--to` is not a wirefeed server. Nothing else will succeed either.
 */
export class PublishApiOffError extends Error {
  override readonly name = 'PublishApiOffError';
}

/** An answer after which no other request can succeed, so a run stops at once. */
export function isFatal(error: unknown): error is TokenRefusedError | PublishApiOffError {
  return error instanceof TokenRefusedError || error instanceof PublishApiOffError;
}

/** The publish API's two file collections: `/api/articles` and `/api/media`. */
export type Collection = 'articles' | 'media';

const REQUEST_TIMEOUT_MS = 60_000;
/** The longest backoff step: a retry waits half of it to all of it. */
const MAX_BACKOFF_MS = 30_000;

/** fetch with the token, a timeout, and retries with backoff on network errors, 5xx and 429. */
export function createClient({ to, token, retries = 5, retryBaseMs = 500, signal }: ClientOptions) {
  const base = new URL(to.endsWith('/') ? to : `${to}/`);
  const urlOf = (collection: Collection, path?: string) =>
    new URL(path === undefined ? `api/${collection}` : `api/${collection}/${path.split('/').map(encodeURIComponent).join('/')}`, base);

  /** One request to `/api/articles` (or `/api/media` with `collection`), retried as described above. */
  async function send(
    method: string,
    path?: string,
    file?: { bytes: Uint8Array; mtime: Date },
    collection: Collection = 'articles',
    extra: { body?: string; query?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (file) {
      headers['Content-Type'] = 'application/octet-stream';
      headers[MTIME_HEADER] = file.mtime.toISOString();
    }
    if (extra.body !== undefined) headers['Content-Type'] = NDJSON;
    const url = urlOf(collection, path);
    if (extra.query) url.search = extra.query;
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      let failure: unknown;
      try {
        const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        response = await fetch(url, {
          method,
          headers,
          body: extra.body ?? (file?.bytes as Uint8Array<ArrayBuffer> | undefined),
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        failure = error;
      }
      if (response?.status === 401) {
        await response.body?.cancel();
        throw new TokenRefusedError(`${base.origin} refused the token (401): check that PUBLISH_TOKEN (or --token) is the server's PUBLISH_TOKEN`);
      }
      // The articles API answers 404 only to a DELETE of a file it does not have; a listing or an
      // upload gets one from the feeds' routes, which take /api/articles for an article page.
      // (A 404 from /api/media means a server that takes no media: see list.)
      if (response?.status === 404 && method !== 'DELETE' && collection === 'articles') {
        await response.body?.cancel();
        throw new PublishApiOffError(
          `the server's publish API is off (start it with PUBLISH_TOKEN): ${method} ${urlOf(collection, path).pathname} on ${base.origin} answered 404; if it does have PUBLISH_TOKEN, check that --to is its URL`,
        );
      }
      const retryable = !response || response.status >= 500 || response.status === 429;
      if (!retryable || attempt >= retries) {
        if (response) return response;
        throw new Error(`cannot reach ${base.origin}: ${messageOf(failure)}`);
      }
      const wait = retryAfterMs(response?.headers.get('Retry-After')) ?? backoffDelay(retryBaseMs, attempt, MAX_BACKOFF_MS);
      await response?.body?.cancel();
      await sleep(wait, signal);
    }
  }

  async function list(collection: Collection = 'articles'): Promise<StoredFile[]> {
    const response = await send('GET', undefined, undefined, collection);
    if (response.status === 404 && collection === 'media') throw new Error("the server takes no media files (Workers: bind an R2 bucket as MEDIA)");
    if (!response.ok) throw new Error(`cannot list the server's ${collection}: ${await reasonOf(response)}`);
    return ((await response.json()) as { files: StoredFile[] }).files;
  }

  /** One page of the articles listing, after `after`; an older server answers its whole listing. */
  async function listPage(after?: string): Promise<ListingPage> {
    const query = new URLSearchParams({ limit: String(LIST_PAGE), ...(after === undefined ? {} : { after }) });
    const response = await send('GET', undefined, undefined, 'articles', { query: query.toString() });
    if (!response.ok) throw new Error(`cannot list the server's articles: ${await reasonOf(response)}`);
    return (await response.json()) as ListingPage;
  }

  /** One bulk upload (src/publish/bulk.ts): NDJSON lines in, the server's per-line answer. */
  const sendBatch = (body: string): Promise<Response> => send('POST', undefined, undefined, 'articles', { body });

  return { send, list, listPage, sendBatch };
}

export type PublishClient = ReturnType<typeof createClient>;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

export async function reasonOf(response: Response): Promise<string> {
  if (response.status >= 300 && response.status < 400) {
    return `the server redirected to ${response.headers.get('Location')}: use that URL in --to`;
  }
  const text = (await response.text().catch(() => '')).slice(0, 500);
  let reason = text;
  try {
    reason = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {
    // A plain-text error body: shown as it is.
  }
  return `${response.status} ${reason}`.trim();
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}
