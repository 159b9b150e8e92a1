#!/usr/bin/env node
// The `wirefeed` command: the CLI as `npm run build` wrote it to dist/, run by plain node.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('wirefeed: dist/cli.js is missing: run npm run build (or npm install, which builds) in the wirefeed folder');
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exitCode = await runCli(process.argv.slice(2));
