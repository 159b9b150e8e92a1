// The shape of src/ (README, Layout): only src/node/ may import node:* or chokidar; the feed
// renderers and the store never import Hono; each folder imports only the layers below it; and
// no module imports itself back through others, type-only imports included (STYLE.md §1).
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

/** Every specifier a module imports or re-exports, `import type` included. */
function importsIn(text: string): string[] {
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => (m[1] ?? m[2])!);
}

async function importsOf(file: string): Promise<string[]> {
  return importsIn(await readFile(file, 'utf8'));
}

/** src/ as a graph: each module (path relative to src/) to the modules of ours it imports. */
async function moduleGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sources(SRC)) {
    const local = (await importsOf(file)).filter((spec) => spec.startsWith('.'));
    graph.set(relative(SRC, file), local.map((spec) => relative(SRC, resolve(dirname(file), spec))));
  }
  return graph;
}

/** The strongly connected groups of more than one module (Tarjan): each is an import cycle. */
function cyclesIn(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!graph.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(group.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/**
 * Which folders each core folder may import from, itself included; `errors.ts` is open to all.
 * The entries (node/, workers/, index.ts) sit above every one of them.
 */
const LAYERS: Record<string, readonly string[]> = {
  article: ['article'],
  feed: ['feed', 'article'],
  store: ['store', 'article'],
  site: ['site', 'feed', 'store', 'article'],
  publish: ['publish', 'site', 'feed', 'store', 'article'],
  pages: ['pages', 'site', 'feed', 'store', 'article'],
  http: ['http', 'pages', 'publish', 'site', 'feed', 'store', 'article'],
};

/** The imports in `graph` that go against LAYERS, or between the two entries. */
function layerViolations(graph: Map<string, string[]>): string[] {
  const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : path);
  const offenders: string[] = [];
  for (const [from, targets] of graph) {
    const folder = folderOf(from);
    for (const to of targets) {
      const target = folderOf(to);
      if (target === 'errors.ts' || target === folder) continue;
      const allowed = LAYERS[folder];
      const entryCrossing = (folder === 'node' && target === 'workers') || (folder === 'workers' && target === 'node');
      const coreReachingUp = allowed !== undefined && !allowed.includes(target);
      if (entryCrossing || coreReachingUp) offenders.push(`${from} -> ${to}`);
    }
  }
  return offenders;
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

  it('imports only downwards: each folder from the layers below it, never node/ from workers/ or back', async () => {
    const graph = await moduleGraph();
    // The walk sees the whole tree: every folder of LAYERS and both entries have modules.
    for (const folder of [...Object.keys(LAYERS), 'node', 'workers']) expect([...graph.keys()].some((path) => path.startsWith(`${folder}/`)), folder).toBe(true);
    expect(layerViolations(graph)).toEqual([]);
  });

  it('has no import cycles, type-only imports included', async () => {
    const graph = await moduleGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cyclesIn(graph)).toEqual([]);
  });
});

describe('the boundary checks themselves', () => {
  it('read type-only imports, re-exports and side-effect imports', () => {
    const text = "import type { A } from './a.ts';\nexport { b } from '../b.ts';\nimport './c.ts';\nimport {\n  d,\n} from './d.ts';\n";
    expect(importsIn(text)).toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts']);
  });

  it('find a cycle of three modules and a module importing itself, and nothing in a chain', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', []],
      ['f.ts', ['f.ts']],
    ]);
    expect(cyclesIn(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['f.ts']]);
    expect(cyclesIn(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('flag an import reaching up a layer or across the entries', () => {
    const graph = new Map([
      ['store/x.ts', ['article/types.ts', 'http/app.ts', 'errors.ts']],
      ['node/y.ts', ['http/app.ts', 'workers/d1.ts']],
      ['http/app.ts', ['publish/api.ts']],
    ]);
    expect(layerViolations(graph)).toEqual(['store/x.ts -> http/app.ts', 'node/y.ts -> workers/d1.ts']);
  });
});
