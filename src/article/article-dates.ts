// When an article was published and last updated: one rule for every format, so a typo fix
// never re-dates an article and a copied-in archive keeps its dates.
import { parseDateValue } from './dates.ts';

/** What an article's dates are chosen from; every field but `fileName` and `mtime` is optional. */
export interface DateInputs {
  /** The file's base name, e.g. `2026-12-04-talks.txt`: a leading date dates the article. */
  fileName: string;
  /** Front-matter `date` (Markdown only). */
  date?: Date | undefined;
  /** Front-matter `updated` (Markdown only). */
  updated?: Date | undefined;
  /** When wirefeed first saw the file's path. */
  firstSeenAt?: Date | undefined;
  /** When the file's content (by hash) last changed after it was first seen. */
  changedAt?: Date | undefined;
  /** The file's modification time: the last resort. */
  mtime: Date;
}

export interface ArticleDates {
  publishedAt: Date;
  updatedAt: Date;
}

// The Jekyll/Hugo convention: `2026-12-04-talks.txt`, `2019-03-01_notes.md`, `2019-03-01.md`.
const FILE_NAME_DATE = /^(\d{4}-\d{2}-\d{2})[-_.]/;

/**
 * The date at the start of a file name, midnight UTC, or undefined when there is none or it is
 * not a calendar date (`2019-02-30-x.txt`). Only dates the article: its slug and id keep the
 * whole name, so the URLs of articles published before this rule stay the same.
 */
export function fileNameDate(fileName: string): Date | undefined {
  const match = FILE_NAME_DATE.exec(fileName);
  return match ? parseDateValue(match[1]) : undefined;
}

/**
 * Chooses an article's dates. publishedAt: front-matter `date`, else a date starting the file
 * name, else `firstSeenAt`, else `mtime`. updatedAt: front-matter `updated`, else `changedAt`,
 * else publishedAt, and never earlier than publishedAt. Invalid Dates are skipped.
 *
 * @example
 * articleDates({ fileName: 'talks.txt', mtime, firstSeenAt, changedAt: editedAt });
 * // publishedAt = firstSeenAt, updatedAt = editedAt: an edit leaves the item in its place
 */
export function articleDates(inputs: DateInputs): ArticleDates {
  const publishedAt =
    validDate(inputs.date) ??
    fileNameDate(inputs.fileName) ??
    validDate(inputs.firstSeenAt) ??
    new Date(inputs.mtime.getTime());
  const updated = validDate(inputs.updated) ?? validDate(inputs.changedAt) ?? publishedAt;
  // A file touched or stated as updated before its publication still cannot be updated before it.
  const updatedAt = updated.getTime() < publishedAt.getTime() ? publishedAt : updated;
  return { publishedAt, updatedAt: new Date(updatedAt.getTime()) };
}

/** A copy of `value` when it is a valid Date, so the article never shares a caller's object. */
function validDate(value: Date | undefined): Date | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined;
  return new Date(value.getTime());
}
