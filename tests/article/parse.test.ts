import { describe, expect, it } from 'vitest';
import { ArticleParseError } from '../../src/errors.ts';
import { isArticlePath, parseArticle, sectionSlug } from '../../src/article/parse.ts';
import { makeOptions, makeSource, markdown, parseOk, parseReason } from './helpers.ts';

describe('parseArticle errors', () => {
  it('returns failures as values carrying the path and reason', () => {
    const result = parseArticle(makeSource('politics/empty.txt', ''), makeOptions());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ArticleParseError);
    expect(result.error.path).toBe('politics/empty.txt');
    expect(result.error.reason).toBe('empty file');
    expect(result.error.message).toBe('politics/empty.txt: empty file');
  });

  it('turns unexpected exceptions into a reason instead of throwing', () => {
    const broken = { path: 'x.txt', bytes: null, mtime: new Date() } as unknown as Parameters<typeof parseArticle>[0];
    const result = parseArticle(broken, makeOptions());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toMatch(/^unexpected error: /);
  });

  it('rejects files that are not articles', () => {
    expect(parseReason('notes.html', '<p>x</p>')).toBe(
      'not an article file (expected .txt, .md or .markdown; hidden and temp files are skipped)',
    );
    expect(parseReason('.hidden/x.md', '# T')).toMatch(/^not an article file/);
  });

  it('rejects an invalid modification time', () => {
    const result = parseArticle(makeSource('x.txt', 'A\nB', new Date(Number.NaN)), makeOptions());
    expect(result.ok ? '' : result.error.reason).toBe('modification time is not a valid date');
  });

  it('rejects a path that climbs out of the articles folder', () => {
    expect(parseReason('../x.txt', 'A\nB')).toMatch(/^path leaves the articles folder/);
  });
});

describe('article ids', () => {
  it('derives a tag URI from the path with each segment encoded', () => {
    expect(parseOk('politics/talks.txt', 'Politics\nHeadline').id).toBe('tag:news.example.com,2026:politics/talks.txt');
    expect(parseOk('Crime & law/a b#1.md', '# T').id).toBe('tag:news.example.com,2026:Crime%20%26%20law/a%20b%231.md');
  });

  it('normalises the path it is given', () => {
    const article = parseOk('./politics//talks.txt', 'Politics\nHeadline');
    expect(article.path).toBe('politics/talks.txt');
    expect(article.id).toBe('tag:news.example.com,2026:politics/talks.txt');
  });

  it('stays the same when the title is edited', () => {
    const before = parseOk('x.md', markdown(['title: First title']));
    const after = parseOk('x.md', markdown(['title: A better title']));
    expect(after.id).toBe(before.id);
    expect(parseOk('x.txt', 'W\nOne').id).toBe(parseOk('x.txt', 'W\nTwo').id);
  });

  it('uses a front-matter absolute IRI as it is', () => {
    expect(parseOk('x.md', markdown(['title: T', 'id: urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427'])).id).toBe(
      'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    );
    expect(parseOk('x.md', markdown(['title: T', 'id: https://old.example.com/p/1'])).id).toBe(
      'https://old.example.com/p/1',
    );
    expect(parseOk('x.md', markdown(['title: T', 'id: tag:old.example.com,2005:1'])).id).toBe(
      'tag:old.example.com,2005:1',
    );
  });

  it('wraps any other front-matter id in a tag URI', () => {
    expect(parseOk('x.md', markdown(['title: T', 'id: post 42/b'])).id).toBe('tag:news.example.com,2026:id/post%2042%2Fb');
    expect(parseOk('x.md', markdown(['title: T', 'id: 42'])).id).toBe('tag:news.example.com,2026:id/42');
  });

  it('does not depend on the file moving between sections only when the front matter pins it', () => {
    const pinned = markdown(['title: T', 'id: urn:x:1']);
    expect(parseOk('a/x.md', pinned).id).toBe(parseOk('b/x.md', pinned).id);
    expect(parseOk('a/x.md', '# T').id).not.toBe(parseOk('b/x.md', '# T').id);
  });
});

describe('article slugs', () => {
  it('comes from the file name without its extension', () => {
    expect(parseOk('politics/US-Ukraine Talks.txt', 'P\nH').slug).toBe('us-ukraine-talks');
    expect(parseOk('gdańsk.markdown', '# T').slug).toBe('gdansk');
  });

  it('ignores the title', () => {
    expect(parseOk('plain.md', '# Completely different').slug).toBe('plain');
  });

  it('falls back to a stable hash when nothing survives slugging', () => {
    const a = parseOk('!!!.txt', 'W\nH').slug;
    expect(a).toMatch(/^[0-9a-f]{8}$/);
    expect(parseOk('!!!.txt', 'W\nOther').slug).toBe(a);
    expect(parseOk('other/!!!.txt', 'W\nH').slug).not.toBe(a);
    expect(parseOk('中文.md', '# T').slug).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('sectionSlug', () => {
  it('folds case and surrounding space', () => {
    for (const name of ['Politics', ' politics ', 'POLITICS']) expect(sectionSlug(name)).toBe('politics');
  });

  it('turns symbols into a non-empty ASCII slug', () => {
    const slug = sectionSlug('C++ & <Tech>/AI');
    expect(slug).not.toBe('');
    expect(slug).toMatch(/^[a-z0-9-]+$/);
  });

  it('transliterates accents', () => {
    expect(sectionSlug('Gdańsk')).toBe('gdansk');
    expect(sectionSlug('Politics and conflicts')).toBe('politics-and-conflicts');
  });

  it('falls back to a stable hash for names with nothing to transliterate', () => {
    expect(sectionSlug('中文')).toMatch(/^[0-9a-f]{8}$/);
    expect(sectionSlug(' 中文 ')).toBe(sectionSlug('中文'));
    expect(sectionSlug('日本')).not.toBe(sectionSlug('中文'));
  });
});

describe('isArticlePath', () => {
  it.each(['a.txt', 'a.md', 'a.markdown', 'A.TXT', 'Notes.MD', 'politics/deep/a.md', './a.txt'])('accepts %s', (path) => {
    expect(isArticlePath(path)).toBe(true);
  });

  it.each([
    'a.html',
    'a',
    'README',
    '.hidden.md',
    '.git/a.md',
    'politics/.drafts/a.md',
    'a.md~',
    'a.md.swp',
    '.a.md.swp',
    'a.md.swx',
    'a.tmp',
    'a.md.part',
    'a.md.crdownload',
    '4913',
    'politics/4913',
    '.#a.md',
    '#a.md#',
    '',
  ])('rejects %s', (path) => {
    expect(isArticlePath(path)).toBe(false);
  });
});
