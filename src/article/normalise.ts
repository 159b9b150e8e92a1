// Text cleaning shared by both formats: one normalisation pass, plain-text helpers, summaries.

// C0 controls except TAB and LF (CR is handled first), DEL and C1 (XML 1.0 "discouraged"),
// BOMs anywhere and the noncharacters U+FFFE/U+FFFF.
const XML_UNFRIENDLY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF]/g;
// Thanks to the `u` flag, only *unpaired* surrogates: a valid pair is one code point and never
// matches the range. A `u` regex is slow over long text, so it runs only on text that has one.
const LONE_SURROGATE = /[\uD800-\uDFFF]/gu;

const SUMMARY_MAX = 280;

// "Friday, January 4, 2019": Wikinews-style datelines open many bodies; never a useful summary.
const DATELINE =
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2},\s+\d{4}$/;

/** Cleans decoded text once: BOMs, CRLF/CR line ends, and characters XML cannot carry. */
export function normaliseText(text: string): string {
  const clean = text.replace(/\r\n?/g, '\n').replace(XML_UNFRIENDLY, '');
  return isWellFormed(clean) ? clean : clean.replace(LONE_SURROGATE, '');
}

/** ES2024 `String#isWellFormed` (Node 20, workerd); the project's TypeScript lib is ES2022. */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Collapses every whitespace run (NBSP, thin space, newlines included) to one space and trims. */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** True for a paragraph that is only a dateline such as `Friday, January 4, 2019`. */
export function isDateline(text: string): boolean {
  return DATELINE.test(text.trim());
}

/** Plain-text summary: whitespace collapsed, cut at a word boundary with `…` past 280 characters. */
export function summarise(text: string, max = SUMMARY_MAX): string {
  const flat = collapseSpace(text);
  if (flat.length <= max) return flat;
  let head = flat.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  // A single enormous "word" (a URL) is cut mid-word rather than dropped entirely.
  if (space > max / 2) head = head.slice(0, space);
  // Never leave half of a surrogate pair at the cut.
  head = head.replace(/[\uD800-\uDBFF]$/, '');
  return `${head.replace(/[\s,;:.\-–—]+$/u, '')}…`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}
