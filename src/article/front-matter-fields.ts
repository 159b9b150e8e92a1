// Reads the known front-matter fields into typed, normalised values; wrong types reject the file.
import { readAttribution } from './attribution.ts';
import type { Attribution, Author } from './types.ts';
import { parseDateValue } from './dates.ts';
import { collapseSpace } from './normalise.ts';
import { reject } from './reject.ts';
import { resolveUrl } from './resolve-url.ts';

export interface FrontMatter {
  title?: string;
  section?: string;
  summary?: string;
  id?: string;
  date?: Date;
  updated?: Date;
  authors: Author[];
  tags: string[];
  image?: string;
  attribution?: Attribution;
  draft: boolean;
}

// `Jane Doe <jane@example.com>`: the usual way to write a name with an email in one string.
const NAME_WITH_EMAIL = /^(.*?)\s*<([^<>\s@]+@[^<>\s]+)>$/u;

/** Turns the raw YAML mapping into a `FrontMatter`; unknown keys are ignored. */
export function readFrontMatter(data: Record<string, unknown>, baseUrl: string, folderUrl?: string): FrontMatter {
  const field = (key: string): unknown => (Object.hasOwn(data, key) ? data[key] : undefined);
  const image = readText(field('image'), 'image');
  // One-line fields: a YAML block scalar's newlines would be noise in a feed reader's list.
  const line = (key: string) => {
    const text = readText(field(key), key);
    return text === undefined ? undefined : collapseSpace(text);
  };
  return {
    title: line('title'),
    section: line('section'),
    summary: line('summary'),
    id: readText(field('id'), 'id'),
    date: readDate(field('date'), 'date'),
    updated: readDate(field('updated'), 'updated'),
    authors: [...listOf(field('authors')), ...listOf(field('author'))].map((value) => readAuthor(value, baseUrl)),
    tags: readTags(field('tags')),
    image: image === undefined ? undefined : absoluteUrl(image, baseUrl, 'image', folderUrl),
    attribution: readAttribution(field),
    draft: readDraft(field('draft')),
  };
}

/** A trimmed string (numbers allowed: `title: 1984`); empty counts as absent. */
function readText(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') reject(`front matter \`${key}\` must be text`);
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

function readDate(value: unknown, key: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const date = parseDateValue(value);
  if (date === undefined) reject(`${key} does not parse: "${String(value)}"`);
  return date;
}

function listOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function readAuthor(value: unknown, baseUrl: string): Author {
  if (typeof value === 'string') {
    const match = NAME_WITH_EMAIL.exec(value.trim());
    const name = (match ? match[1] : value)?.trim();
    if (!name) reject('front matter `author` needs a name');
    return match?.[2] ? { name, email: match[2] } : { name };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    reject('front matter `author` must be a name or {name, email, url}');
  }
  const record = value as Record<string, unknown>;
  const name = readText(record['name'], 'author.name');
  if (name === undefined) reject('front matter `author` needs a name');
  const email = readText(record['email'], 'author.email');
  const url = readText(record['url'], 'author.url');
  return {
    name,
    ...(email === undefined ? {} : { email }),
    ...(url === undefined ? {} : { url: absoluteUrl(url, baseUrl, 'author.url') }),
  };
}

/** Tags from a list or a comma-separated string: trimmed, blanks dropped, the first spelling of each kept (case-insensitive). */
export function readTags(value: unknown): string[] {
  const raw = typeof value === 'string' ? value.split(',') : listOf(value);
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const item of raw) {
    const tag = readText(item, 'tags');
    // Case-insensitive de-duplication keeps the first spelling: `AI, ai` is one tag.
    if (tag === undefined || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    tags.push(tag);
  }
  return tags;
}

function readDraft(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') reject('front matter `draft` must be true or false');
  return value;
}

/** Resolves a possibly relative URL against the site root; only http(s) survives. */
function absoluteUrl(value: string, baseUrl: string, key: string, folderUrl?: string): string {
  const url = resolveUrl(value, baseUrl, folderUrl);
  if (url === undefined) reject(`front matter \`${key}\` is not a URL: "${value}"`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    reject(`front matter \`${key}\` must be an http(s) URL: "${value}"`);
  }
  return strictUri(url);
}

// WHATWG serialisation leaves characters RFC 3986 does not allow (`[`, `]`, a `%` that starts
// no escape, a second `#`): percent-encode them so every format's URI rules accept the link.
function strictUri(url: URL): string {
  const encode = (text: string, extra: string) =>
    text
      .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
      .replace(new RegExp(`[\\[\\]|^{}\`"<> \\\\${extra}]`, 'g'), (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  const fragment = url.hash ? `#${encode(url.hash.slice(1), '#')}` : '';
  return `${url.origin}${encode(url.pathname + url.search, '')}${fragment}`;
}
