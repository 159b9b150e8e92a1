// The store must run in workerd as well as Node: no Node built-ins, no Buffer or process, no Hono.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeOrHonoUses, sourceFiles } from '../helpers/web-standard.ts';

const files = sourceFiles(join(import.meta.dirname, '../../src/store'));

describe('src/store', () => {
  it('finds the store’s modules, the drivers folder included', () => {
    expect(files.map(({ name }) => name)).toEqual(expect.arrayContaining(['types.ts', 'rules.ts', 'sorted.ts', 'drivers/memory.ts']));
  });

  it.each(files.map(({ name, file }) => [name, file]))('%s uses only Web-standard APIs', (_name, file) => {
    expect(nodeOrHonoUses(readFileSync(file, 'utf8'))).toEqual([]);
  });
});

describe('the scan', () => {
  it.each([
    ["import x from 'node:fs';", 'node:fs'],
    ["import { readFile } from 'fs/promises';", 'fs/promises'],
    ['import {\n  createHash,\n} from "crypto";', 'crypto'],
    ["import 'node:process';", 'node:process'],
    ["const { createHash } = await import('node:crypto');", 'node:crypto'],
    ["export { Hono } from 'hono';", 'hono'],
    ["import type { Context } from 'hono/tiny';", 'hono/tiny'],
    ["const bytes = Buffer.from('x');", 'Buffer'],
    ['if (process.env.DEBUG) log();', 'process.'],
  ])('flags %j', (source, found) => {
    expect(nodeOrHonoUses(source)).toEqual([found]);
  });

  it('lets Web-standard code and our own imports through', () => {
    const source = [
      "import type { Article } from '../article/types.ts';",
      "import { createMemoryDriver } from './drivers/memory.ts';",
      'const bytes = new ArrayBuffer(8); // processed later, as an ArrayBuffer',
      "const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('x'));",
    ].join('\n');
    expect(nodeOrHonoUses(source)).toEqual([]);
  });
});
