// The date rules, one row per case, through the real parseArticle.
import { describe, expect, it } from 'vitest';
import { articleDates, fileNameDate } from '../../src/article/article-dates.ts';
import { parseArticle } from '../../src/article/parse.ts';
import type { ArticleSource } from '../../src/article/types.ts';
import { makeOptions, markdown } from './helpers.ts';

const MTIME = '2024-05-06T07:08:09.000Z';
const SEEN = '2023-01-02T03:04:05.000Z';
const CHANGED = '2024-02-03T10:00:00.000Z';
const DATE = '2022-06-01T09:00:00.000Z';
const UPDATED = '2022-07-01T09:00:00.000Z';
const INVALID = 'invalid';

interface Row {
  name: string;
  format: 'txt' | 'md';
  /** Base name without extension; the format gives the extension. */
  file?: string;
  date?: string;
  updated?: string;
  firstSeenAt?: string;
  changedAt?: string;
  mtime?: string;
  publishedAt: string;
  updatedAt: string;
}

const ROWS: Row[] = [
  // .txt: no front matter
  { name: 'txt, nothing else: mtime', format: 'txt', publishedAt: MTIME, updatedAt: MTIME },
  { name: 'txt, first seen', format: 'txt', firstSeenAt: SEEN, publishedAt: SEEN, updatedAt: SEEN },
  { name: 'txt, edited', format: 'txt', firstSeenAt: SEEN, changedAt: CHANGED, publishedAt: SEEN, updatedAt: CHANGED },
  { name: 'txt, changed but never seen: mtime publishes', format: 'txt', changedAt: '2024-06-01T00:00:00.000Z', publishedAt: MTIME, updatedAt: '2024-06-01T00:00:00.000Z' },
  { name: 'txt, file-name date beats first seen', format: 'txt', file: '2019-03-01-talks', firstSeenAt: SEEN, publishedAt: '2019-03-01T00:00:00.000Z', updatedAt: '2019-03-01T00:00:00.000Z' },
  { name: 'txt, file-name date then an edit', format: 'txt', file: '2019-03-01_talks', firstSeenAt: SEEN, changedAt: CHANGED, publishedAt: '2019-03-01T00:00:00.000Z', updatedAt: CHANGED },
  { name: 'txt, file name that is only a date', format: 'txt', file: '2019-03-01', publishedAt: '2019-03-01T00:00:00.000Z', updatedAt: '2019-03-01T00:00:00.000Z' },
  { name: 'txt, impossible file-name date falls through', format: 'txt', file: '2019-02-30-talks', firstSeenAt: SEEN, publishedAt: SEEN, updatedAt: SEEN },
  { name: 'txt, date not at the start is no date', format: 'txt', file: 'talks-2019-03-01', publishedAt: MTIME, updatedAt: MTIME },
  { name: 'txt, date followed by a letter is no date', format: 'txt', file: '2019-03-01talks', publishedAt: MTIME, updatedAt: MTIME },
  { name: 'txt, changed before the file-name date: never earlier', format: 'txt', file: '2025-01-01-x', changedAt: CHANGED, publishedAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' },
  { name: 'txt, invalid first seen and changed are ignored', format: 'txt', firstSeenAt: INVALID, changedAt: INVALID, publishedAt: MTIME, updatedAt: MTIME },
  // Markdown
  { name: 'md, date and updated win over everything', format: 'md', file: '2019-03-01-x', date: DATE, updated: UPDATED, firstSeenAt: SEEN, changedAt: CHANGED, publishedAt: DATE, updatedAt: UPDATED },
  { name: 'md, date without updated: updatedAt = publishedAt', format: 'md', date: DATE, publishedAt: DATE, updatedAt: DATE },
  { name: 'md, date and an edit', format: 'md', date: DATE, firstSeenAt: SEEN, changedAt: CHANGED, publishedAt: DATE, updatedAt: CHANGED },
  { name: 'md, date beats the file-name date', format: 'md', file: '2019-03-01-x', date: DATE, publishedAt: DATE, updatedAt: DATE },
  { name: 'md, updated before date is raised to date', format: 'md', date: UPDATED, updated: DATE, publishedAt: UPDATED, updatedAt: UPDATED },
  { name: 'md, file-name date', format: 'md', file: '2019-03-01', firstSeenAt: SEEN, publishedAt: '2019-03-01T00:00:00.000Z', updatedAt: '2019-03-01T00:00:00.000Z' },
  { name: 'md, no dates: first seen', format: 'md', firstSeenAt: SEEN, publishedAt: SEEN, updatedAt: SEEN },
  { name: 'md, no dates: mtime', format: 'md', publishedAt: MTIME, updatedAt: MTIME },
  { name: 'md, updated only', format: 'md', firstSeenAt: SEEN, updated: UPDATED, publishedAt: SEEN, updatedAt: SEEN },
  { name: 'md, updated only, after first seen', format: 'md', firstSeenAt: SEEN, updated: '2023-05-05T00:00:00.000Z', changedAt: CHANGED, publishedAt: SEEN, updatedAt: '2023-05-05T00:00:00.000Z' },
  { name: 'md, changed before date: never earlier', format: 'md', date: '2030-01-01', changedAt: CHANGED, publishedAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z' },
];

const toDate = (value: string): Date => (value === INVALID ? new Date(Number.NaN) : new Date(value));

function sourceOf(row: Row): ArticleSource {
  const base = row.file ?? 'talks';
  const text =
    row.format === 'txt'
      ? 'Politics\n\nA headline\n\nA paragraph.\n'
      : markdown([
          'title: A headline',
          ...(row.date === undefined ? [] : [`date: ${row.date}`]),
          ...(row.updated === undefined ? [] : [`updated: ${row.updated}`]),
        ]);
  return {
    path: `politics/${base}.${row.format}`,
    bytes: new TextEncoder().encode(text),
    mtime: toDate(row.mtime ?? MTIME),
    ...(row.firstSeenAt === undefined ? {} : { firstSeenAt: toDate(row.firstSeenAt) }),
    ...(row.changedAt === undefined ? {} : { changedAt: toDate(row.changedAt) }),
  };
}

describe('article dates', () => {
  it.each(ROWS)('$name', (row) => {
    const result = parseArticle(sourceOf(row), makeOptions());
    if (!result.ok) expect.fail(result.error.reason);
    expect(result.article.publishedAt.toISOString()).toBe(new Date(row.publishedAt).toISOString());
    expect(result.article.updatedAt.toISOString()).toBe(new Date(row.updatedAt).toISOString());
  });

  it('keeps the file-name date in the slug and id, so published URLs stay the same', () => {
    const result = parseArticle(sourceOf({ name: '', format: 'txt', file: '2026-12-04-talks', publishedAt: '', updatedAt: '' }), makeOptions());
    if (!result.ok) expect.fail(result.error.reason);
    expect(result.article.slug).toBe('2026-12-04-talks');
    expect(result.article.id).toBe('tag:news.example.com,2026:politics/2026-12-04-talks.txt');
  });

  it('never hands back the Date objects it was given', () => {
    const firstSeenAt = new Date(SEEN);
    const dates = articleDates({ fileName: 'x.txt', mtime: new Date(MTIME), firstSeenAt });
    expect(dates.publishedAt).not.toBe(firstSeenAt);
    expect(dates.updatedAt).not.toBe(dates.publishedAt);
  });
});

describe('fileNameDate', () => {
  it.each([
    ['2026-12-04-talks.txt', '2026-12-04T00:00:00.000Z'],
    ['2026-12-04_talks.md', '2026-12-04T00:00:00.000Z'],
    ['2024-02-29.markdown', '2024-02-29T00:00:00.000Z'],
    ['2023-02-29.md', undefined],
    ['2026-13-01-x.txt', undefined],
    ['26-12-04-talks.txt', undefined],
    ['2026-12-04 talks.txt', undefined],
    ['talks.txt', undefined],
  ])('%s → %s', (name, expected) => {
    expect(fileNameDate(name)?.toISOString()).toBe(expected);
  });
});
