// Every real Wikinews article (293 .txt, 44 .md) must parse, titled and filed where the file says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/article/parse.ts';
import { makeOptions, makeSource } from './helpers.ts';

const CORPUS = join(import.meta.dirname, '..', 'fixtures', 'wikinews');
const txtFiles = readdirSync(CORPUS).filter((name) => name.endsWith('.txt'));
const mdFiles = readdirSync(join(CORPUS, 'markdown')).filter((name) => name.endsWith('.md'));

function parseFile(path: string, absolute: string) {
  const bytes = new Uint8Array(readFileSync(absolute));
  return { text: new TextDecoder().decode(bytes), result: parseArticle(makeSource(path, bytes), makeOptions()) };
}

describe('the wikinews corpus', () => {
  it('has the files SOURCE.md promises', () => {
    expect(txtFiles).toHaveLength(293);
    expect(mdFiles).toHaveLength(44);
  });

  it('parses every .txt with a title and the section named on its first line', () => {
    const failures: string[] = [];
    for (const name of txtFiles) {
      const { text, result } = parseFile(name, join(CORPUS, name));
      const section = text.split('\n')[0]?.trim();
      if (!result.ok) failures.push(result.error.message);
      else if (result.article.title === '' || result.article.section !== section) failures.push(`${name}: wrong fields`);
    }
    expect(failures).toEqual([]);
  });

  it('parses every .md with a title and the section named in its front matter', () => {
    const failures: string[] = [];
    for (const name of mdFiles) {
      const { text, result } = parseFile(`markdown/${name}`, join(CORPUS, 'markdown', name));
      const sectionLine = /^section: (.*)$/m.exec(text)?.[1] ?? '';
      const section: unknown = JSON.parse(sectionLine);
      if (!result.ok) failures.push(result.error.message);
      else if (result.article.title === '' || result.article.section !== section) failures.push(`${name}: wrong fields`);
    }
    expect(failures).toEqual([]);
  });

  it('credits every .md to its Wikinews original under CC BY 2.5, named by the host as no `source` is given', () => {
    for (const name of mdFiles) {
      const { text, result } = parseFile(`markdown/${name}`, join(CORPUS, 'markdown', name));
      const sourceUrl = JSON.parse(/^source_url: (.*)$/m.exec(text)?.[1] ?? '""') as string;
      expect(result.ok && result.article.attribution, name).toEqual({
        source: 'en.wikinews.org',
        sourceUrl: new URL(sourceUrl).href,
        license: 'CC BY 2.5',
        licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
      });
    }
  });

  it('takes publication dates from the Markdown front matter', () => {
    const name = 'arrest-made-as-mayor-of-gdansk-poland-stabbed-on-stage.md';
    const { result } = parseFile(`markdown/${name}`, join(CORPUS, 'markdown', name));
    expect(result.ok && result.article.publishedAt.toISOString()).toBe('2019-01-14T00:00:00.000Z');
  });

  it('skips the dateline when summarising', () => {
    const name = 'actor-doris-day-dies-at-97.txt';
    const { result } = parseFile(name, join(CORPUS, name));
    expect(result.ok && result.article.summary).toMatch(/^US singer, actor, and animal rights advocate Doris Day/);
  });
});
