// vitest globalSetup of the node project: `npm run build` once, before any test file runs, so
// every test that starts the built command (bin/wirefeed.js over dist/: the CLI, deploy recipes
// and the packed tarball) runs this checkout's code, and nothing rebuilds dist/ while they run
// (tests/node/package.test.ts packs with --ignore-scripts for that reason).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function buildDist(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'ignore', 'inherit'] });
}
