import { afterEach, describe, expect, it, vi } from 'vitest';
import { ARTICLE_FORMAT_NAMES, isArticleFormat } from '../../src/article/format-names.ts';
import { ARTICLE_EXTENSIONS, ARTICLE_FORMATS, articleExtensionList, articleFormat } from '../../src/article/formats.ts';
import { isArticlePath, parseArticle } from '../../src/article/parse.ts';
import { checkPublishPath } from '../../src/publish/contract.ts';
import { makeOptions, makeSource, parseReason } from './helpers.ts';

// Every case below reads the table, so a format or extension added there is covered with no edit here.
const CASES = ARTICLE_FORMAT_NAMES.flatMap((format) => ARTICLE_FORMATS[format].extensions.map((extension) => ({ format, extension })));

/** What a stubbed format parser returns. */
const FIELDS = {
  section: 'Politics',
  title: '',
  summary: 'Body.',
  html: '<p>Body.</p>',
  authors: [],
  tags: [],
  publishedAt: new Date('2024-05-06T07:08:09Z'),
  updatedAt: new Date('2024-05-06T07:08:09Z'),
  draft: false,
};

/** The `.ext` words of a message, without their dots. */
function extensionsIn(message: string): string[] {
  return [...message.matchAll(/\.([a-z0-9]+)\b/g)].map((match) => match[1] ?? '');
}

describe('ARTICLE_FORMATS', () => {
  afterEach(() => vi.restoreAllMocks());

  it('has one entry per format name, and every extension belongs to one format', () => {
    expect(Object.keys(ARTICLE_FORMATS).sort()).toEqual([...ARTICLE_FORMAT_NAMES].sort());
    expect(new Set(ARTICLE_EXTENSIONS).size).toBe(ARTICLE_EXTENSIONS.length);
    expect(ARTICLE_EXTENSIONS).toEqual(CASES.map(({ extension }) => extension));
  });

  it.each(CASES)('accepts .$extension (any case) as $format', ({ format, extension }) => {
    expect(articleFormat(`talks.${extension}`)).toBe(format);
    expect(articleFormat(`talks.${extension.toUpperCase()}`)).toBe(format);
    expect(isArticlePath(`politics/talks.${extension}`)).toBe(true);
    expect(checkPublishPath(`politics/talks.${extension}`)).toEqual({ ok: true, path: `politics/talks.${extension}` });
  });

  it.each(CASES)('parses .$extension with the $format parser and no other', ({ format, extension }) => {
    const spies = ARTICLE_FORMAT_NAMES.map((name) => {
      const fields = { ...FIELDS, title: `Read by the ${name} parser` };
      return [name, vi.spyOn(ARTICLE_FORMATS[name], 'parse').mockReturnValue(fields)] as const;
    });
    const result = parseArticle(makeSource(`politics/talks.${extension}`, 'Any text\n'), makeOptions());
    expect(result.ok ? result.article : result.error.reason).toMatchObject({ format, title: `Read by the ${format} parser` });
    for (const [name, spy] of spies) expect(spy).toHaveBeenCalledTimes(name === format ? 1 : 0);
  });

  it('refuses an extension the table does not list', () => {
    expect(articleFormat('talks.html')).toBeUndefined();
    expect(isArticlePath('talks.html')).toBe(false);
  });
});

describe('isArticleFormat', () => {
  it('accepts exactly the format names', () => {
    for (const format of ARTICLE_FORMAT_NAMES) expect(isArticleFormat(format)).toBe(true);
    for (const other of ['markdown', 'html', 'TXT', '', undefined, 1]) expect(isArticleFormat(other)).toBe(false);
  });
});

describe('articleExtensionList', () => {
  it('lists exactly the table\'s extensions, dotted, the last after "or"', () => {
    const list = articleExtensionList();
    expect(extensionsIn(list)).toEqual(ARTICLE_EXTENSIONS);
    expect(list).toBe(`${ARTICLE_EXTENSIONS.slice(0, -1).map((e) => `.${e}`).join(', ')} or .${ARTICLE_EXTENSIONS.at(-1)}`);
  });

  it('is what the parser and the publish API say to a file that is not an article', () => {
    const parsed = parseReason('notes.html', '<p>x</p>');
    const published = checkPublishPath('notes.html');
    expect(parsed).toBe(`not an article file (expected ${articleExtensionList()}; hidden and temp files are skipped)`);
    expect(published).toEqual({ ok: false, reason: `not an article file: use ${articleExtensionList()} (no hidden or temp files)` });
    expect(extensionsIn(parsed)).toEqual(ARTICLE_EXTENSIONS);
  });
});
