// Answers requests for cached feeds straight from node:http, before @hono/node-server builds a
// Web Request for the app: headers and validators are prepared once per document version
// (src/http/feed-response.ts), so a 304 or a 200 is a look-up and one writeHead. Whatever the
// app's fast path cannot answer exactly as the app would (other URLs, methods, hosts the
// adapter would refuse, documents not cached or not current, variants not made yet) goes on to
// the app unchanged.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FeedFastPath } from '../../http/feed-fast-path.ts';

/** Returns true when it answered; false leaves `req` and `res` untouched for the app. */
export function answerFromCache(fastPath: FeedFastPath, req: IncomingMessage, res: ServerResponse): boolean {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return false;
  const target = req.url;
  // Absolute-form targets ("GET http://host/..."), and anything else, are the adapter's.
  if (target === undefined || target.charCodeAt(0) !== SLASH) return false;
  const host = req.headers.host;
  if (host === undefined || !acceptedHost(host)) return false;
  let answer;
  try {
    answer = fastPath.answer(target, method === 'HEAD', (name) => requestHeader(req, name));
  } catch {
    // A header the adapter would not read the same way, or anything unforeseen: the app answers
    // (and reports an error of its own, as ever), rather than the listener throwing.
    return false;
  }
  if (answer === undefined) return false;
  res.writeHead(answer.status, answer.headers as OutgoingHttpHeaders);
  if (answer.body === null) res.end();
  else res.end(answer.body);
  return true;
}

const SLASH = 0x2f;
const UNREADABLE = Symbol('unreadable header');

// @hono/node-server's Headers over node:http's request read these from the parsed
// `req.headers` (where node joins repeats with ", ") and every other field from rawHeaders,
// joining repeats there (node keeps only the first of these): the same here.
const NOT_JOINED_BY_NODE = new Set(['if-modified-since']);
const FORBIDDEN_VALUE = /[\0\r\n]/;

/** A request header as the app would read it through the adapter's Headers. */
function requestHeader(req: IncomingMessage, name: string): string | null {
  let value: string | null = null;
  if (NOT_JOINED_BY_NODE.has(name)) {
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i]!;
      if (field.length === name.length && field.toLowerCase() === name) {
        const part = trimHttpWhitespace(raw[i + 1]!);
        value = value === null ? part : `${value}, ${part}`;
      }
    }
  } else {
    const parsed = req.headers[name];
    if (parsed === undefined) return null;
    // Only set-cookie is an array in node's parse; the app reads none of those.
    if (typeof parsed !== 'string') throw UNREADABLE;
    value = trimHttpWhitespace(parsed);
  }
  // The adapter falls back to a full Headers object for these, which refuses them.
  if (value !== null && FORBIDDEN_VALUE.test(value)) throw UNREADABLE;
  return value;
}

function isHttpWhitespace(code: number): boolean {
  return code === 9 || code === 10 || code === 13 || code === 32;
}

function trimHttpWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

// The adapter builds the request URL from the Host header: one of these is used as it is;
// any other goes through the URL parser and is refused (400) when the parsed host name is
// neither as long as the header nor the header without its port, lower-cased.
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
const otherHosts = new Map<string, boolean>();

function acceptedHost(host: string): boolean {
  if (PLAIN_HOST.test(host)) return true;
  let accepted = otherHosts.get(host);
  if (accepted === undefined) {
    try {
      const { hostname } = new URL(`http://${host}/`);
      accepted = hostname.length === host.length || hostname === (host.includes(':') ? host.replace(/:\d+$/, '') : host).toLowerCase();
    } catch {
      accepted = false;
    }
    if (otherHosts.size >= 64) otherHosts.clear();
    otherHosts.set(host, accepted);
  }
  return accepted;
}
