// HTML sanitising for Markdown bodies (raw HTML is allowed in, so everything goes through here).
import xss, { FilterXSS, type IWhiteList } from 'xss';
import { resolveUrl } from './resolve-url.ts';

// The CommonJS module object carries js-xss's defaults, but its typings only describe the
// default function, so we name the few members we use.
const defaults = xss as unknown as {
  getDefaultWhiteList(): IWhiteList;
  friendlyAttrValue(value: string): string;
  escapeAttrValue(value: string): string;
};

const URL_ATTRIBUTES = new Set(['href', 'src', 'poster', 'cite']);
const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

// Script-like elements lose their content too, not just their tags.
const STRIP_WITH_BODY = ['script', 'style', 'iframe', 'object', 'noscript', 'template', 'textarea'];

function allowedTags(): IWhiteList {
  const list = defaults.getDefaultWhiteList();
  return {
    ...list,
    // No `target`: a feed item has no business opening windows (and `_blank` without rel leaks).
    a: ['href', 'title'],
    // markdown-it marks fenced code with `class="language-js"` and aligns table cells with style.
    code: ['class'],
    th: [...(list.th ?? []), 'style'],
    td: [...(list.td ?? []), 'style'],
  };
}

const ALLOWED_TAGS = allowedTags();

/**
 * Sanitises rendered HTML: allow-listed tags only, and links resolved to http(s)/mailto/tel URLs
 * (relative ones against `folderUrl`, the article's folder, when given: see resolveUrl).
 */
export function sanitiseHtml(html: string, baseUrl: string, folderUrl?: string): string {
  const filter = new FilterXSS({
    whiteList: ALLOWED_TAGS,
    stripIgnoreTag: true,
    stripIgnoreTagBody: STRIP_WITH_BODY,
    allowCommentTag: false,
    // URL attributes are ours to judge; returning '' drops the attribute rather than leaving
    // an empty `href` (which would link to the page itself). Everything else takes the default.
    onTagAttr(_tag, name, value, isWhiteAttr) {
      if (!isWhiteAttr || !URL_ATTRIBUTES.has(name)) return undefined;
      const url = safeUrl(value, baseUrl, folderUrl);
      return url === '' ? '' : `${name}="${url}"`;
    },
  });
  return filter.process(html);
}

function safeUrl(value: string, baseUrl: string, folderUrl: string | undefined): string {
  // Decode entities first (`&#106;avascript:`), then let the WHATWG URL parser, the one browsers
  // use, decide the scheme: it also sees through tabs and newlines inside `java\tscript:`.
  const raw = defaults.friendlyAttrValue(value).trim();
  if (raw.startsWith('#')) return defaults.escapeAttrValue(raw);
  // Relative links become absolute against the site root: feed readers have no base URL.
  const url = resolveUrl(raw, baseUrl, folderUrl);
  if (url === undefined || !SAFE_PROTOCOLS.has(url.protocol)) return '';
  return defaults.escapeAttrValue(url.href);
}

const FIRST_IMAGE = /<img\s[^>]*?\bsrc="(https?:[^"]*)"/i;

/** The URL of the first image in sanitised HTML (its `src` as the sanitiser wrote it), if any. */
export function firstImage(html: string): string | undefined {
  const src = FIRST_IMAGE.exec(html)?.[1];
  // The sanitiser escapes attribute values: `&amp;`, `&quot;`, `&lt;`, `&gt;` are all it writes.
  return src?.replace(/&(amp|quot|lt|gt);/g, (_all, name: string) => ({ amp: '&', quot: '"', lt: '<', gt: '>' })[name]!);
}
