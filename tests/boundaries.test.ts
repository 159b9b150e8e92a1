// The core stays runtime-agnostic: only src/node/ may import node:* or chokidar, and the
// feed renderers and store never import Hono (STYLE.md §1).
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('module boundaries', () => {
  it('keeps node:* and chokidar inside src/node/', async () => {
    const offenders: string[] = [];
    for (const file of await sources(SRC)) {
      const path = relative(SRC, file);
      if (path.startsWith('node/')) continue;
      for (const spec of await importsOf(file)) {
        if (spec.startsWith('node:') || spec === 'chokidar' || spec.startsWith('@hono/node-server')) offenders.push(`${path}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('keeps Hono out of the article, feed and store modules', async () => {
    const offenders: string[] = [];
    for (const folder of ['article', 'feed', 'store']) {
      for (const file of await sources(join(SRC, folder))) {
        for (const spec of await importsOf(file)) if (spec.startsWith('hono')) offenders.push(`${relative(SRC, file)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
