// The store must run in workerd as well as Node: no Node built-ins, no Buffer or process, no Hono.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const STORE_DIR = join(import.meta.dirname, '../../src/store');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers of static, side-effect and dynamic imports and of re-exports. */
function specifiers(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

const isNodeOrHono = (spec: string) =>
  spec.startsWith('node:') || builtinModules.includes(spec) || spec === 'hono' || spec.startsWith('hono/');

/** What in `source` ties it to Node or Hono: such imports, and Buffer or process. */
function nodeOrHonoUses(source: string): string[] {
  const globals = [...source.matchAll(/\bBuffer\b|\bprocess\./g)].map((match) => match[0]);
  return [...specifiers(source).filter(isNodeOrHono), ...globals];
}

const files = sourceFiles(STORE_DIR);
const names = files.map((file) => relative(STORE_DIR, file).split(sep).join('/'));

describe('src/store', () => {
  it('finds the store’s modules, the drivers folder included', () => {
    expect(names).toEqual(expect.arrayContaining(['types.ts', 'rules.ts', 'sorted.ts', 'drivers/memory.ts']));
  });

  it.each(names.map((name, i) => [name, files[i]!]))('%s uses only Web-standard APIs', (_name, file) => {
    expect(nodeOrHonoUses(readFileSync(file, 'utf8'))).toEqual([]);
  });
});

describe('the scan', () => {
  it.each([
    ["import x from 'node:fs';", 'node:fs'],
    ["import { readFile } from 'fs/promises';", 'fs/promises'],
    ["import {\n  createHash,\n} from \"crypto\";", 'crypto'],
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
