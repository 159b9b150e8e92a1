// The `wirefeed` command from the TypeScript sources, as node's arguments for a child process:
// `node --import tsx src/node/main.ts …`. One process (tsx's loader registers in it), so signals
// reach the process doing the work, and no build is needed, so tests never run a stale dist/.
// The built command (bin/wirefeed.js over dist/) is tested from a packed tarball in
// tests/node/package.test.ts.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `[...CLI, 'publish', dir]` as the arguments of `spawn(process.execPath, …)`. */
export const CLI: readonly string[] = ['--import', TSX, join(ROOT, 'src', 'node', 'main.ts')];
