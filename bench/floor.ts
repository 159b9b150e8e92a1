// The cold-start floor: walk the articles folder, read every article file and split it into
// lines, holding the lines until the end (a server must hold its articles too). Nothing else.
// Run it the way the server runs: `tsx bench/floor.ts DIR`. Prints one JSON line on stdout.
import { readdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Same read concurrency as the server's initial scan (SCAN_CONCURRENCY in src/node/watcher.ts).
const CONCURRENCY = 32;

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await walk(dir, path)));
    else if (entry.isFile() && /\.(txt|md)$/i.test(entry.name)) found.push(path);
  }
  return found;
}

async function main(dir: string): Promise<void> {
  const start = performance.now();
  const files = await walk(dir);
  const held: string[][] = [];
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const data = await readFile(join(dir, files[next++]!));
      bytes += data.byteLength;
      held.push(data.toString('utf8').split('\n'));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  const ms = performance.now() - start;
  const hwmKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  const lines = held.reduce((sum, fileLines) => sum + fileLines.length, 0);
  process.stdout.write(`${JSON.stringify({ files: files.length, lines, bytes, ms, hwmKb })}\n`);
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx bench/floor.ts DIR\n');
  process.exit(2);
}
await main(dir);
