// The answer to a GET or HEAD of a media file: type from the allow-list, strong ETag (SHA-256),
// conditional GET (RFC 9110 §13), single byte ranges (RFC 9110 §14), nosniff, and caching for good
// when the name carries the content's hash. The same on Node (files) and Workers (R2).
import parseRange from 'range-parser';
import { isContentAddressed, type MediaSource } from '../site/media-types.ts';
import { isNotModifiedBy, parseHttpDate } from './conditional.ts';

export interface MediaResponseOptions {
  source: MediaSource;
  /** Files larger than this are not served. */
  maxBytes: number;
  /** Cache-Control max-age for names without a content hash, seconds. */
  maxAge: number;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The response for `path` (a media path, already checked), or undefined when there is no such file. */
export async function mediaResponse(request: Request, path: string, options: MediaResponseOptions): Promise<Response | undefined> {
  const info = await options.source.info(path);
  if (info === undefined) return undefined;
  if (info.size > options.maxBytes) return new Response('Not found: the file is larger than MEDIA_MAX_BYTES', { status: 404 });
  const etag = `"${info.sha256}"`;
  const common: Record<string, string> = {
    ETag: etag,
    'Last-Modified': info.lastModified.toUTCString(),
    'Cache-Control': isContentAddressed(path, info.sha256) ? IMMUTABLE : `public, max-age=${options.maxAge}`,
    'Access-Control-Allow-Origin': '*',
    // The type is ours, from the extension's allow-list: browsers must not guess another.
    'X-Content-Type-Options': 'nosniff',
    'Accept-Ranges': 'bytes',
  };
  const headers = request.headers;
  if (isNotModifiedBy(headers.get('if-none-match'), headers.get('if-modified-since'), { etag, lastModified: info.lastModified })) {
    return new Response(null, { status: 304, headers: common });
  }
  const range = wantedRange(headers, info.size, etag, info.lastModified);
  if (range === 'unsatisfiable') {
    return new Response('Range not satisfiable', { status: 416, headers: { ...common, 'Content-Range': `bytes */${info.size}` } });
  }
  const ok = { ...common, 'Content-Type': info.type };
  if (range === undefined) {
    const full = { ...ok, 'Content-Length': String(info.size) };
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers: full });
    const body = await options.source.body(path, info);
    return body ? new Response(body, { status: 200, headers: full }) : changedMeanwhile();
  }
  const partial = { ...ok, 'Content-Length': String(range.end - range.start + 1), 'Content-Range': `bytes ${range.start}-${range.end}/${info.size}` };
  if (request.method === 'HEAD') return new Response(null, { status: 206, headers: partial });
  const body = await options.source.body(path, info, range);
  return body ? new Response(body, { status: 206, headers: partial }) : changedMeanwhile();
}

function changedMeanwhile(): Response {
  return new Response('The file changed while being read: try again', { status: 503, headers: { 'Retry-After': '1' } });
}

/**
 * The one byte range to send, 'unsatisfiable' (416), or undefined for the whole file: no Range,
 * a unit other than bytes, a malformed field, an If-Range naming another version (§13.1.5), or
 * several ranges (§14.2 lets a server ignore Range; one range is what players ask for).
 */
function wantedRange(headers: Headers, size: number, etag: string, lastModified: Date): { start: number; end: number } | 'unsatisfiable' | undefined {
  const field = headers.get('range');
  if (field === null) return undefined;
  const ifRange = headers.get('if-range');
  if (ifRange !== null && !ifRangeMatches(ifRange.trim(), etag, lastModified)) return undefined;
  const ranges = parseRange(size, field, { combine: true });
  if (ranges === -2 || (Array.isArray(ranges) && ranges.type !== 'bytes')) return undefined;
  if (ranges === -1) return 'unsatisfiable';
  return ranges.length === 1 ? ranges[0] : undefined;
}

/** §13.1.5: a strong entity tag compared strongly, or the exact Last-Modified date. */
function ifRangeMatches(value: string, etag: string, lastModified: Date): boolean {
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/')) return false;
  const date = parseHttpDate(value);
  return date !== undefined && date === Math.floor(lastModified.getTime() / 1000) * 1000;
}
