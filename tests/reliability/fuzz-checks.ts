// What tests/reliability/fuzz.test.ts asserts about one parsed article once it is served: the
// feeds parse strictly and carry the title exactly, and the HTML pages carry it only as text.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import type { Article, ParseResult } from '../../src/article/types.ts';
import type { ListedArticle } from '../../src/store/types.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { SITE } from '../helpers/articles.ts';

/** The store's clock: dates after it are scheduled, not published. */
export const STORE_NOW = new Date('2030-01-01T00:00:00Z');

const SCHEMA = JSON.parse(readFileSync(new URL('../fixtures/schemas/jsonfeed-1.1.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validateJsonFeed = ajv.compile(SCHEMA);

const ATOM_NS = 'http://www.w3.org/2005/Atom';

/** What became of one input. */
export type Outcome = 'published' | 'draft' | 'scheduled' | 'rejected';

/** Tally of outcomes and rejection reasons over a run, for the figures. */
export class Tally {
  readonly outcomes: Record<Outcome, number> = { published: 0, draft: 0, scheduled: 0, rejected: 0 };
  readonly reasons = new Map<string, number>();

  add(outcome: Outcome, reason?: string): void {
    this.outcomes[outcome] += 1;
    if (reason === undefined) return;
    // Group reasons by their fixed part: `date does not parse: "x"` -> `date does not parse`.
    const key = reason.split(/[:"(]/)[0]!.trim();
    this.reasons.set(key, (this.reasons.get(key) ?? 0) + 1);
  }

  get accepted(): number {
    return this.outcomes.published + this.outcomes.draft + this.outcomes.scheduled;
  }

  /** `no headline 120, empty file 30, …`, most frequent first. */
  topReasons(count = 8): string {
    return [...this.reasons].sort((a, b) => b[1] - a[1]).slice(0, count).map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none';
  }
}

type Get = (path: string) => Promise<{ status: number; body: string }>;

/**
 * Puts the result of `parseArticle` into a fresh memory store, serves it through `createApp`
 * and checks every response; throws (through `expect`) on the first broken promise. Returns
 * what became of the input.
 */
export async function checkServed(result: ParseResult): Promise<{ outcome: Outcome; reason?: string }> {
  if (!result.ok) {
    const { reason } = result.error;
    expect(reason, 'a rejection says why').not.toBe('');
    expect(reason, 'every rejection is one the parser meant').not.toMatch(/^unexpected error/);
    return { outcome: 'rejected', reason };
  }
  const { article } = result;
  // Front-matter escapes (`"\u0000"`, `"\uD800"`) once brought back what the file's clean-up removed.
  expect(dirtyFields(article), 'no field holds characters the clean-up removes').toEqual([]);

  const store = createMemoryStore({ now: () => new Date(STORE_NOW.getTime()) });
  const errors: string[] = [];
  const app = createApp({ store, site: SITE, feedLimit: 50, logError: (line) => errors.push(line), now: () => STORE_NOW.getTime() });
  expect(store.put(article).ok, 'a parsed article is never refused by an empty store').toBe(true);
  const get: Get = async (path) => {
    const response = await app.request(path);
    return { status: response.status, body: await response.text() };
  };

  if (article.draft || article.publishedAt.getTime() > STORE_NOW.getTime()) {
    // Not published: no feed, no page, only counted (scheduled) or forgotten (draft).
    expect((await get(`/${article.sectionSlug}/rss.xml`)).status).toBe(404);
    const status = JSON.parse((await get('/status')).body) as { articles: number; scheduled: number };
    expect(status.articles).toBe(0);
    expect(status.scheduled).toBe(article.draft ? 0 : 1);
    expect(errors).toEqual([]);
    return { outcome: article.draft ? 'draft' : 'scheduled' };
  }

  const listed = store.find(article.sectionSlug, article.slug);
  expect(listed, 'the article is found under its section and slug').toBeDefined();
  for (const prefix of [`/${article.sectionSlug}`, '']) await checkFeeds(get, prefix, article);
  await checkPages(get, article, listed!);
  expect(errors, 'no request failed').toEqual([]);
  return { outcome: 'published' };
}

/** The three feeds under `prefix` (a section, or '' for all): strictly well-formed, valid, the exact title. */
async function checkFeeds(get: Get, prefix: string, article: Article): Promise<void> {
  const [rss, atom, json] = await Promise.all(['rss.xml', 'atom.xml', 'feed.json'].map((file) => get(`${prefix}/${file}`)));
  expect([rss!.status, atom!.status, json!.status]).toEqual([200, 200, 200]);
  const rssRead = readXml(rss!.body, (path) => path.at(-2)?.local === 'item' && path.at(-1)?.local === 'title');
  expect(rssRead.errors, 'RSS is well-formed').toEqual([]);
  expect(rssRead.texts, 'RSS item title').toEqual([article.title]);
  const atomRead = readXml(atom!.body, (path) => path.at(-2)?.local === 'entry' && path.at(-1)?.local === 'title' && path.at(-1)?.uri === ATOM_NS);
  expect(atomRead.errors, 'Atom is well-formed').toEqual([]);
  expect(atomRead.texts, 'Atom entry title').toEqual([article.title]);
  const feed = JSON.parse(json!.body) as { items: Array<{ title: string }> };
  // Joined, so a failure shows the messages (image URLs with `[`, a bare `%` or a second `#` once failed `format: uri`).
  expect(schemaErrors(feed).join('; '), 'JSON Feed 1.1 schema errors').toBe('');
  expect(feed.items.map((item) => item.title), 'JSON Feed item title').toEqual([article.title]);
}

/** The article, section and home pages: no markup from the input, the title and section as text. */
async function checkPages(get: Get, article: Article, listed: ListedArticle): Promise<void> {
  const pages = await Promise.all([`/${article.sectionSlug}/${listed.slug}`, `/${article.sectionSlug}/`, '/'].map(get));
  for (const page of pages) {
    expect(page.status).toBe(200);
    expectNoInjectedMarkup(page.body);
  }
  const [articlePage, sectionPage, home] = pages.map((page) => page.body) as [string, string, string];
  expect(firstElementText(articlePage, 'h1'), 'article page <h1>').toBe(article.title);
  expect(firstElementText(articlePage, 'title'), 'article page <title>').toBe(`${article.title} | ${SITE.title}`);
  expect(firstElementText(sectionPage, 'h1'), 'section page <h1>').toBe(listed.sectionName);
  expect(firstElementText(sectionPage, 'li'), 'section page item').toBe(article.title);
  expect(firstElementText(home, 'td'), 'home page section cell').toBe(listed.sectionName);
}

function schemaErrors(value: unknown): string[] {
  return validateJsonFeed(value) ? [] : (validateJsonFeed.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

interface XmlName {
  local: string;
  uri: string;
}

/** Strict XML read (saxes, namespaces on): every error, and the text of the elements `pick` chooses. */
export function readXml(xml: string, pick: (path: XmlName[]) => boolean): { errors: string[]; texts: string[] } {
  const errors: string[] = [];
  const texts: string[] = [];
  const path: XmlName[] = [];
  let collecting: string | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('error', (error) => errors.push(error.message));
  parser.on('opentag', (tag) => {
    path.push({ local: tag.local, uri: tag.uri });
    if (pick(path)) collecting = '';
  });
  parser.on('text', (text) => {
    if (collecting !== undefined) collecting += text;
  });
  parser.on('cdata', (text) => {
    if (collecting !== undefined) collecting += text;
  });
  parser.on('closetag', () => {
    if (collecting !== undefined && pick(path)) {
      texts.push(collecting);
      collecting = undefined;
    }
    path.pop();
  });
  parser.write(xml).close();
  return { errors, texts };
}

/** A start tag as the HTML tokenizer reads it. */
export interface HtmlTag {
  name: string;
  attributes: Array<[string, string]>;
}

// Elements whose content is text up to their end tag (HTML § 13.1.2): no tags inside.
const RAW_TEXT = new Set(['style', 'script', 'title', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);

/**
 * The start tags of an HTML document, tokenized the way the HTML standard's tokenizer reads
 * tags and attributes (§ 13.2.5), which is all this check needs: our pages escape every `<` of
 * text, so every `<` left is markup. Comments and doctype are returned as `!`.
 */
export function htmlTags(page: string): HtmlTag[] {
  const tags: HtmlTag[] = [];
  let i = 0;
  while ((i = page.indexOf('<', i)) !== -1) {
    const next = page[i + 1] ?? '';
    if (next === '!') {
      tags.push({ name: '!', attributes: [['text', page.slice(i, page.indexOf('>', i) + 1)]] });
      i += 2;
      continue;
    }
    if (!/[A-Za-z]/.test(next)) {
      i += 1;
      continue;
    }
    let j = i + 1;
    while (j < page.length && !/[\s/>]/.test(page[j]!)) j++;
    const name = page.slice(i + 1, j).toLowerCase();
    const attributes: Array<[string, string]> = [];
    for (;;) {
      while (j < page.length && /[\s/]/.test(page[j]!)) j++;
      if (j >= page.length || page[j] === '>') break;
      const start = j;
      j++; // an attribute name may start with `=`
      while (j < page.length && !/[\s/>=]/.test(page[j]!)) j++;
      const attribute = page.slice(start, j).toLowerCase();
      while (j < page.length && /\s/.test(page[j]!)) j++;
      let value = '';
      if (page[j] === '=') {
        j++;
        while (j < page.length && /\s/.test(page[j]!)) j++;
        const quote = page[j];
        if (quote === '"' || quote === "'") {
          const end = page.indexOf(quote, j + 1);
          value = page.slice(j + 1, end === -1 ? page.length : end);
          j = end === -1 ? page.length : end + 1;
        } else {
          const begin = j;
          while (j < page.length && !/[\s>]/.test(page[j]!)) j++;
          value = page.slice(begin, j);
        }
      }
      attributes.push([attribute, decodeEntities(value)]);
    }
    tags.push({ name, attributes });
    i = j;
    if (RAW_TEXT.has(name)) {
      const end = page.toLowerCase().indexOf(`</${name}`, i);
      i = end === -1 ? page.length : end;
    }
  }
  return tags;
}

// What the page shell itself writes; anything else must come from the sanitiser's allow-list.
const FORBIDDEN_ELEMENTS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'form', 'input', 'button',
  'textarea', 'select', 'svg', 'math', 'template', 'noscript', 'xmp', 'plaintext', 'portal', 'param',
]);
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'poster', 'cite', 'background', 'data', 'xlink:href', 'srcset', 'ping']);
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** Asserts that an HTML page holds only the markup our templates and the sanitiser allow. */
export function expectNoInjectedMarkup(page: string): void {
  expect(page.toLowerCase(), 'no <script anywhere').not.toContain('<script');
  const tags = htmlTags(page);
  const comments = tags.filter((tag) => tag.name === '!').map((tag) => tag.attributes[0]![1]);
  expect(comments, 'only the doctype').toEqual(['<!doctype html>']);
  const problems: string[] = [];
  let styles = 0;
  for (const { name, attributes } of tags) {
    if (name === '!') continue;
    if (FORBIDDEN_ELEMENTS.has(name)) problems.push(`<${name}>`);
    if (name === 'style') styles += 1;
    if (name === 'meta' && !attributes.every(([key]) => key === 'charset' || key === 'name' || key === 'content')) {
      problems.push(`<meta ${attributes.map(([key]) => key).join(' ')}>`);
    }
    // Ours: feed discovery (alternate) and the article page's canonical URL.
    if (name === 'link' && !attributes.some(([key, value]) => key === 'rel' && (value === 'alternate' || value === 'canonical'))) problems.push('<link> not alternate or canonical');
    for (const [key, value] of attributes) {
      if (key.startsWith('on')) problems.push(`<${name} ${key}=…>`);
      if (URL_ATTRIBUTES.has(key) && !isSafeUrl(value)) problems.push(`<${name} ${key}="${value}">`);
      if (key === 'style' && /url\s*\(|expression\s*\(|javascript:|@import|\\/i.test(value)) problems.push(`<${name} style="${value}">`);
    }
  }
  expect(problems, 'no markup from the input').toEqual([]);
  expect(styles, 'the one <style> of the page shell').toBe(1);
}

function isSafeUrl(value: string): boolean {
  // Browsers drop ASCII tab and newline anywhere in a URL and strip leading/trailing C0 and space.
  const cleaned = value.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (cleaned.startsWith('#')) return true;
  try {
    return SAFE_SCHEMES.has(new URL(cleaned).protocol);
  } catch {
    return false;
  }
}

/**
 * The text inside the first `<name>` element, with the references Hono's `html` writes decoded;
 * fails if the element holds markup (it should hold only escaped text).
 */
export function firstElementText(page: string, name: string): string {
  const start = page.search(new RegExp(`<${name}[\\s>]`));
  expect(start, `a <${name}> element`).toBeGreaterThanOrEqual(0);
  const open = page.indexOf('>', start) + 1;
  const close = page.indexOf(`</${name}>`, open);
  let inner = page.slice(open, close);
  // The section page's item and the home page's cell hold one link: take its text.
  const link = /^<a href="[^"<>]*">([^<]*)<\/a>/.exec(inner);
  if (link && (name === 'li' || name === 'td')) inner = link[1]!;
  expect(inner, `<${name}> holds text only`).not.toMatch(/[<>]/);
  return decodeEntities(inner);
}

/** Decodes the five references `hono/html` writes (and nothing else, so `&amp;lt;` stays `&lt;`). */
export function decodeEntities(text: string): string {
  const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (reference) => named[reference]!);
}

/** Windows-1252 0x80–0x9F as the WHATWG Encoding Standard defines it; the five gaps map to C1. */
export const WINDOWS_1252_HIGH: Record<number, string> = {
  0x80: '\u20AC', 0x81: '\u0081', 0x82: '\u201A', 0x83: '\u0192', 0x84: '\u201E', 0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021',
  0x88: '\u02C6', 0x89: '\u2030', 0x8a: '\u0160', 0x8b: '\u2039', 0x8c: '\u0152', 0x8d: '\u008D', 0x8e: '\u017D', 0x8f: '\u008F',
  0x90: '\u0090', 0x91: '\u2018', 0x92: '\u2019', 0x93: '\u201C', 0x94: '\u201D', 0x95: '\u2022', 0x96: '\u2013', 0x97: '\u2014',
  0x98: '\u02DC', 0x99: '\u2122', 0x9a: '\u0161', 0x9b: '\u203A', 0x9c: '\u0153', 0x9d: '\u009D', 0x9e: '\u017E', 0x9f: '\u0178',
};

/** The bytes 0x80–0x9F Windows-1252 leaves undefined. */
export const WINDOWS_1252_UNDEFINED = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/** Our own Windows-1252 decoder: ASCII and Latin-1 as is, 0x80–0x9F from the table above. */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => WINDOWS_1252_HIGH[byte] ?? String.fromCharCode(byte)).join('');
}

/** The article parser's documented clean-up, redone here: what the parsed text may not contain. */
export function withoutUnfriendly(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF\uFFFE\uFFFF]/g, '');
}

/** The plain-text fields of `article` holding characters the parser's clean-up exists to remove. */
export function dirtyFields(article: Article): string[] {
  const fields: Array<[string, string]> = [
    ['title', article.title],
    ['section', article.section],
    ['summary', article.summary],
    ['html', article.html],
    ...article.authors.map((author): [string, string] => ['author', author.name]),
    ...article.tags.map((tag): [string, string] => ['tag', tag]),
  ];
  return fields.filter(([, text]) => withoutUnfriendly(text) !== text || /\p{Cs}/u.test(text)).map(([name]) => name);
}

/** The article's text as fields, to look for replacement characters. */
export function articleText(article: Article): string {
  return [article.section, article.title, article.summary, article.html].join('\n');
}
