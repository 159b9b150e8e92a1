// The scan that keeps runtime-agnostic folders free of Node and Hono (STYLE.md §1), for the tests
// of src/article and src/store.
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';

/** The .ts files under `dir`, sub-folders included: absolute paths and paths relative to `dir` (POSIX). */
export function sourceFiles(dir: string): Array<{ file: string; name: string }> {
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return walk(dir).map((file) => ({ file, name: relative(dir, file).split(sep).join('/') }));
}

/** Module specifiers of static, side-effect and dynamic imports and of re-exports. */
function specifiers(source: string): string[] {
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]/g];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

const isNodeOrHono = (spec: string) =>
  spec.startsWith('node:') || builtinModules.includes(spec) || spec === 'hono' || spec.startsWith('hono/');

/** What in `source` ties it to Node or Hono: imports of Node built-ins (with or without `node:`) or Hono, and Buffer or process. */
export function nodeOrHonoUses(source: string): string[] {
  const globals = [...source.matchAll(/\bBuffer\b|\bprocess\./g)].map((match) => match[0]);
  return [...specifiers(source).filter(isNodeOrHono), ...globals];
}
