// `npm run build`: the package's JavaScript in dist/, run by plain `node` (no TypeScript loader at
// run time). esbuild bundles our sources into ES modules; every dependency stays an import
// (`packages: 'external'`), installed beside the package as usual (@parcel/watcher is native and
// could not be bundled anyway). Declarations for `exports` come from tsc (tsconfig.build.json).
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}dist`;
const shared = { absWorkingDir: ROOT, bundle: true, format: 'esm', packages: 'external', outdir: OUT, logLevel: 'warning', legalComments: 'none' };

await rm(OUT, { recursive: true, force: true });
await Promise.all([
  // The CLI, the Node and library entries, and the reader thread. Shared code goes into chunks
  // next to them in dist/ (never a subfolder): read-pool.ts finds the thread's module as
  // `./file-worker.js` beside whichever file it was bundled into.
  build({
    ...shared,
    platform: 'node',
    target: 'node20',
    splitting: true,
    entryPoints: {
      cli: 'src/node/cli.ts',
      index: 'src/index.ts',
      node: 'src/node/index.ts',
      'file-worker': 'src/node/intake/file-worker.ts',
    },
  }),
  // The Worker entry on its own, with no Node chunk in it: wrangler bundles it with the
  // dependencies when a project deploys it (README "Deploy to Cloudflare Workers").
  build({ ...shared, platform: 'neutral', target: 'es2022', entryPoints: { worker: 'src/workers/index.ts' } }),
]);
