// The store must run in workerd as well as Node: no node:* modules, no Buffer, no Hono.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const STORE_DIR = fileURLToPath(new URL('../../src/store', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/store', () => {
  const files = sourceFiles(STORE_DIR);

  it.each(files.map((file) => [file.slice(STORE_DIR.length + 1), file]))(
    '%s uses only Web-standard APIs',
    (_name, file) => {
      const source = readFileSync(file, 'utf8');
      expect(source).not.toMatch(/from\s+['"](node:|hono)/);
      expect(source).not.toMatch(/import\(\s*['"](node:|hono)/);
      expect(source).not.toMatch(/\bBuffer\b|\bprocess\./);
    },
  );

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });
});
