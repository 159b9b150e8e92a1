// The parser must run in workerd too: no Node built-ins, no Buffer or process, no Hono under src/article.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeOrHonoUses, sourceFiles } from '../helpers/web-standard.ts';

const files = sourceFiles(join(import.meta.dirname, '../../src/article'));

describe('src/article', () => {
  it('finds the parser’s modules', () => {
    expect(files.map(({ name }) => name)).toEqual(expect.arrayContaining(['parse.ts', 'decode.ts', 'types.ts']));
  });

  it('imports no Node built-ins or Hono and uses no Buffer or process', () => {
    const offenders = files.flatMap(({ name, file }) => nodeOrHonoUses(readFileSync(file, 'utf8')).map((use) => `${name}: ${use}`));
    expect(offenders).toEqual([]);
  });
});
