// The hostile inputs of tests/reliability/http-abuse.test.ts, as data: traversal in every
// encoding, malformed validators and numbers, mangled tokens, and fast-check generators for
// random paths and queries.
import fc from 'fast-check';

/** Ways to climb out of a folder: plain, percent-encoded, double-encoded, backslashes, NUL, overlong UTF-8. */
export const CLIMBS = [
  '..%2f..%2f',
  '..%2F..%2F..%2F..%2F',
  '%2e%2e/%2e%2e/',
  '%2e%2e%2f%2e%2e%2f',
  '%2E%2E%2F%2E%2E%2F',
  '%252e%252e/%252e%252e/',
  '%252e%252e%252f%252e%252e%252f',
  '..\\..\\',
  '..%5c..%5c',
  '%5c..%5c..%5c',
  '..%00/..%00/',
  '%00../../',
  '%c0%ae%c0%ae/%c0%ae%c0%ae/',
  '%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%af',
  '%e0%80%ae%e0%80%ae/',
  '%uff0e%uff0e/',
  '../../',
  '../../../../../../',
  '.%2e/.%2e/',
  '%2e./%2e./',
  '....//....//',
  '..;/..;/',
  './././',
];

/** GET targets that try to read files outside the articles folder through each climb. */
export function traversalTargets(): string[] {
  const targets: string[] = [];
  for (const climb of CLIMBS) {
    targets.push(`/${climb}etc/passwd`, `/politics/${climb}etc/passwd`, `/${climb}package.json`, `/politics/${climb}${climb}etc%2fpasswd`);
    targets.push(`/${climb}rss.xml`, `/politics/${climb}rss.xml`);
  }
  targets.push('/etc/passwd%00.txt', '/politics/rss.xml/../../../etc/passwd', '/feed.css/..%2f..%2fpackage.json', '/%2fetc%2fpasswd', '//etc/passwd');
  return targets;
}

/** Publish API paths (after `/api/articles/`) that try to reach `outside.txt` next to the articles folder. */
export function apiTraversalPaths(): string[] {
  const paths = CLIMBS.map((climb) => `${climb}outside.txt`);
  paths.push(
    'politics/../../outside.txt',
    'politics/%2e%2e/%2e%2e/outside.txt',
    '%2foutside.txt',
    '/outside.txt',
    'C:%5coutside.txt',
    'C:/outside.txt',
    'outside.txt%00.md',
    'a%00.txt',
    '%ff.txt',
    '..',
    '%2e%2e',
    '',
  );
  return paths;
}

/** Malformed If-None-Match values: each must be ignored (200 in full), never guessed at. */
export const BAD_IF_NONE_MATCH = [
  'garbage',
  '"unbalanced',
  'unbalanced"',
  '"a", "b',
  '"a" "b"',
  'W/',
  'W/"',
  'w/"x"',
  '"',
  '""',
  ',,,,',
  '*, "x"',
  '"x",*',
  '\u00ff\u00fe',
  `"${'x'.repeat(8000)}"`,
];

/** If-Modified-Since in every wrong format and at the ends of time: each must be ignored (200). */
export const BAD_IF_MODIFIED_SINCE = [
  'garbage',
  '',
  '0',
  '-1',
  '1e309',
  '1741593600',
  '1741593600000',
  '2025-03-10T08:00:00Z',
  '2099-01-01',
  'fri, 31 dec 9999 23:59:59 gmt',
  'Fri, 31 Dec 9999 23:59:59 GMT',
  'Sat, 01 Jan 2500 00:00:00 GMT',
  'Friday, 31-Dec-99 23:59:59 GMT',
  'Sun Nov  6 08:49:37 2094',
  'Fri, 32 Dec 2025 25:61:61 GMT',
  'Mon, 01 Jan 0001 00:00:00 GMT',
  'Thu, 01 Jan 1970 00:00:00 GMT',
  'Sun, 06 Nov 1994 08:49:37 PST',
  'Sun, 06 Nov 1994 08:49:37 +0000',
  'Sun,06 Nov 1994 08:49:37 GMT',
  `Sun, 06 Nov 1994 08:49:37 GMT${' '.repeat(4000)}x`,
];

/** Values of `page` and `limit` that are not whole numbers in range. */
export const BAD_NUMBERS = [
  '0',
  '-1',
  '-0',
  '1.5',
  '1.0',
  '0x10',
  '0b1',
  '1e3',
  '1E3',
  '+1',
  '%2B1',
  '%201',
  '1%20',
  '01',
  '1000001',
  '9007199254740993',
  '99999999999999999999999999',
  '9'.repeat(2000),
  'NaN',
  'Infinity',
  '-Infinity',
  '',
  '%00',
  '1%00',
  '%D9%A1',
  '1,2',
  '[]',
  'true',
  'null',
  '1;2',
  '%',
  '%zz',
];

/** The query shapes a careless client sends: repeats, arrays, unknown keys, odd case. */
export const ODD_QUERIES = [
  'page=1&page=2',
  'page=2&page=1',
  'limit=5&limit=abc',
  'limit=abc&limit=5',
  'page[]=1',
  'page[0]=2',
  'page=2&limit=10&page=3',
  'PAGE=2',
  'page=2&x=1',
  'x',
  '&&&',
  '=',
  'page',
  'page=',
  'page=2#frag',
  'page=2&limit=10',
  'limit=10&page=2',
  'page=1',
];

/**
 * Authorization values that must never let a request in (the token's own bytes changed,
 * or in the wrong place). `token` is the real one.
 */
export function badAuthorizations(token: string): [string, string][] {
  const sameLength = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
  const swapped = [...token].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  return [
    ['empty', ''],
    ['scheme only', 'Bearer'],
    ['scheme and space', 'Bearer '],
    ['wrong token', 'Bearer wrong'],
    ['wrong, same length', `Bearer ${sameLength}`],
    ['upper case', `Bearer ${token.toUpperCase()}`],
    ['swapped case', `Bearer ${swapped}`],
    ['one more character', `Bearer ${token}x`],
    ['one character first', `Bearer x${token}`],
    ['one character short', `Bearer ${token.slice(0, -1)}`],
    ['space inside', `Bearer ${token.slice(0, 8)} ${token.slice(8)}`],
    ['tab for the space', `Bearer\t${token}`],
    ['Bearer twice', `Bearer Bearer ${token}`],
    ['two tokens', `Bearer ${token} ${token}`],
    ['comma list', `Bearer ${token},Bearer ${token}`],
    ['no scheme', token],
    ['Token scheme', `Token ${token}`],
    ['Basic scheme', `Basic ${Buffer.from(`publisher:${token}`).toString('base64')}`],
    ['Bearer=', `Bearer=${token}`],
    ['no space', `Bearer${token}`],
    ['quoted', `Bearer "${token}"`],
    ['zero-width space', Buffer.from(`Bearer \u200b${token}`, 'utf8').toString('latin1')],
    ['latin1 byte after', `Bearer ${token}\u00ff`],
    ['percent-encoded', `Bearer ${[...token].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`],
  ];
}

/** Spellings of the right token that RFC 9110 §11.1 allows (case-insensitive scheme, spaces): these get in. */
export function goodAuthorizations(token: string): string[] {
  return [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer    ${token}`, `Bearer ${token}   `, `Bearer ${token}\t`];
}

const PIECES = [
  'politics', 'sports', 'science', 'rss.xml', 'atom.xml', 'feed.json', 'status', 'healthz', 'api', 'articles',
  'feeds.opml', 'feed.css', 'favicon.ico', 'robots.txt', '..', '.', '%2e%2e', '%2E', '%2f', '%2F', '%5c', '\\',
  '%00', '%0a', '%0d', '%09', '%20', '%01', '%1f', '%7f', '%c0%ae', '%ff', '%', '%%', '%25', '%252e', '%u002e',
  '~', '%e9', 'é', '%F0%9F%98%80', '😀', '?', '#', ';', '@', ':', '*', '"', "'", '<', '>', '{', '}', '|', '^', '`',
];

/** A path segment: a known word, a hostile fragment, random ASCII, or random text percent-encoded. */
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PIECES) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9._~-]{0,12}$/) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }).map((text) => encodeURIComponent(text)) },
);

const queryValue = fc.oneof(
  fc.constantFrom(...BAD_NUMBERS),
  fc.integer({ min: -5, max: 1_000_010 }).map(String),
  fc.double().map(String),
  segment,
);

const query = fc.array(
  fc.tuple(fc.constantFrom('page', 'limit', 'PAGE', 'page[]', 'x', '', 'limit '), queryValue).map(([key, value]) => `${key}=${value}`),
  { maxLength: 4 },
);

/** Random request targets: 1-5 segments joined by `/`, maybe a trailing slash, maybe a query. */
export const randomTarget = fc
  .tuple(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.option(query, { nil: undefined }))
  .map(([segments, slash, params]) => `/${segments.join('/')}${slash ? '/' : ''}${params ? `?${params.join('&')}` : ''}`);
