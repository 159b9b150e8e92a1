// Conditional GET per RFC 9110 §13.1.2-13.1.3 and the precedence of §13.2.2:
// If-None-Match decides when present; only without it does If-Modified-Since count.

export interface Validators {
  /** Strong entity tag(s) of the current representation, quoted: `"abc"`; any of them matches. */
  etag: string | string[];
  lastModified: Date;
}

/** True when the request's preconditions say the client's copy is current (answer 304). */
export function isNotModified(headers: Headers, validators: Validators, now = Date.now()): boolean {
  return isNotModifiedBy(headers.get('if-none-match'), headers.get('if-modified-since'), validators, now);
}

/**
 * `isNotModified` on the two header values as a Headers object would give them (null when
 * absent, repeated fields joined with ", "), for callers that hold no Headers object.
 */
export function isNotModifiedBy(
  ifNoneMatch: string | null | undefined,
  ifModifiedSince: string | null | undefined,
  validators: Validators,
  now = Date.now(),
): boolean {
  if (ifNoneMatch != null) return matchesAnyEtag(ifNoneMatch, validators.etag);
  if (ifModifiedSince == null) return false;
  const since = parseHttpDate(ifModifiedSince);
  // §13.1.3: ignore a value that is not a valid HTTP-date; a date later than our clock is not valid either.
  if (since === undefined || since > now) return false;
  return Math.floor(validators.lastModified.getTime() / 1000) * 1000 <= since;
}

const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/** §13.1.2: `*` matches any current representation; otherwise weak comparison against each listed tag. */
function matchesAnyEtag(field: string, etags: string | string[]): boolean {
  const trimmed = field.trim();
  if (trimmed === '*') return true;
  // The common case, a client sending back one of our tags as it got it: the same answer as
  // the parse below gives, without it.
  if ((Array.isArray(etags) ? etags.includes(trimmed) : etags === trimmed) && ENTITY_TAG.test(trimmed)) return true;
  const ours = new Set((Array.isArray(etags) ? etags : [etags]).map((etag) => ENTITY_TAG.exec(etag)?.[2]));
  for (const candidate of splitList(trimmed)) {
    const match = ENTITY_TAG.exec(candidate);
    // A malformed member makes the whole field unusable: answer in full rather than guess.
    if (!match) return false;
    if (ours.has(match[2])) return true;
  }
  return false;
}

/** Splits a list of entity tags on commas outside quotes. */
function splitList(field: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of field) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
// §5.6.7: IMF-fixdate, plus the obsolete RFC 850 and asctime forms recipients must accept.
const HTTP_DATE = [
  new RegExp(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} ${MONTH} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT$`),
  new RegExp(`^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} \\d{2}:\\d{2}:\\d{2} GMT$`),
  new RegExp(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\d{4}$`),
];

/** Milliseconds since the epoch for a valid HTTP-date, else undefined. */
export function parseHttpDate(value: string): number | undefined {
  const trimmed = value.trim();
  if (!HTTP_DATE.some((pattern) => pattern.test(trimmed))) return undefined;
  // asctime carries no zone: it is GMT by definition.
  const time = Date.parse(trimmed.endsWith('GMT') ? trimmed : `${trimmed} GMT`);
  return Number.isNaN(time) ? undefined : time;
}
