// The parser must run in workerd too: no Node built-ins, no Buffer, no file system under src/article.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ARTICLE_DIR = join(import.meta.dirname, '../../src/article');

describe('src/article', () => {
  it('imports no node: modules and uses no Buffer or process', () => {
    const offenders = readdirSync(ARTICLE_DIR)
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => {
        const source = readFileSync(join(ARTICLE_DIR, name), 'utf8');
        return /from ['"](node:|fs|path|crypto)/.test(source) || /\b(Buffer|process)\./.test(source);
      });
    expect(offenders).toEqual([]);
  });
});
