#!/usr/bin/env node
// The `wirefeed` command. The CLI is TypeScript (src/node/cli.ts): tsx, a runtime dependency,
// registers its loader in this process (no second process, so signals and exit codes stay ours).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// Our own tsconfig, not whatever the current folder has; without one, tsx's defaults.
const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });

const { runCli } = await import('../src/node/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
