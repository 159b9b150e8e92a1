// The `.txt` format: section line, headline, then one paragraph per non-blank line.
import { articleDates } from './article-dates.ts';
import { readTags } from './front-matter-fields.ts';
import type { ParseContext, ParsedFields } from './context.ts';
import { sectionSlug } from './identity.ts';
import { escapeHtml, isDateline, summarise } from './normalise.ts';
import { reject } from './reject.ts';

// The "More In Politics MORE..." link text that scraped pages end with.
const TRAILER = /^More In .+ MORE\.\.\.$/i;
// A last line `Tags: a, b` (before or after that trailer) gives the article's tags.
const TAGS_LINE = /^Tags:\s*(.*)$/i;

/** Parses a plain-text article; the folder rule decides whether line one is the section. */
export function parseText(context: ParseContext): ParsedFields {
  // String#trim also strips NBSP and the other Unicode spaces scraped text is full of.
  const lines = context.text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length > 1 && TRAILER.test(lines.at(-1) ?? '')) lines.pop();

  const { section, rest } = splitSection(lines, context.folder);
  const tags = takeTags(rest);
  const [title, ...paragraphs] = rest;
  if (title === undefined) reject('no headline');

  const lead = paragraphs.find((paragraph) => !isDateline(paragraph));
  return {
    section,
    title,
    summary: lead === undefined ? title : summarise(lead),
    html: paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('\n'),
    authors: [],
    tags,
    ...articleDates({ ...context.times, fileName: context.segments.at(-1) ?? '' }),
    draft: false,
  };
}

/**
 * Takes a `Tags: a, b` line off the end of `rest` (headline and paragraphs), with the scraped
 * trailer on either side of it. Only the last line after a headline counts: a paragraph or headline
 * starting with "Tags:" anywhere else stays as it is.
 */
function takeTags(rest: string[]): string[] {
  const line = rest.length >= 2 ? rest.at(-1) : undefined;
  const match = line === undefined ? null : TAGS_LINE.exec(line);
  if (match === null) return [];
  rest.pop();
  // The trailer before it (parseText already dropped one after it).
  if (rest.length > 1 && TRAILER.test(rest.at(-1) ?? '')) rest.pop();
  return readTags(match[1] ?? '');
}

/**
 * A top-level file names its section on line one. Under a folder, the folder is the section and
 * line one is dropped only when it repeats the folder's name (`Politics and conflicts` in
 * `politics-and-conflicts/`); otherwise line one is already the headline.
 */
function splitSection(lines: string[], folder: string | undefined): { section: string; rest: string[] } {
  const [first = '', ...rest] = lines;
  if (folder === undefined) return { section: first, rest };
  if (sectionSlug(first) === sectionSlug(folder)) return { section: first, rest };
  return { section: folder.trim(), rest: lines };
}
