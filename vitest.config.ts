import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';

// Keep wrangler and Miniflare offline and quiet however the tests are started (TOOLCHAIN.md).
// Miniflare's `cf: false` is a top-level option the pool does not pass on; this variable is
// its equivalent. The workers project also runs with no network at all (checked in a netns).
process.env.WRANGLER_SEND_METRICS ??= 'false';
process.env.WRANGLER_HIDE_BANNER ??= 'true';
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/**/*.test.ts'],
          // dist/ built once before the tests that run the built command (tests/build-dist.ts).
          globalSetup: ['tests/build-dist.ts'],
          exclude: [...configDefaults.exclude, 'tests/workers/**'],
        },
      },
      {
        // Runs inside workerd with real local bindings: an in-memory D1 database as `DB`,
        // emptied per test with `reset()` from cloudflare:test. No wrangler.toml is read.
        extends: true,
        plugins: [
          cloudflareTest({
            remoteBindings: false,
            miniflare: {
              compatibilityDate: '2026-05-01',
              d1Databases: ['DB'],
              // Media files (src/workers/r2-media.ts), emptied by reset() like DB.
              r2Buckets: ['MEDIA'],
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['tests/workers/**/*.test.ts'],
          // xss is CommonJS; the pool's own loader exposes only its default export, so
          // `import { FilterXSS } from 'xss'` (src/article/sanitise.ts) failed in workerd.
          // esbuild pre-bundles it here the way wrangler's esbuild bundle does in production.
          deps: { optimizer: { ssr: { enabled: true, include: ['xss'] } } },
        },
      },
    ],
  },
});
