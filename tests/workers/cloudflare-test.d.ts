// The part of `cloudflare:test` (@cloudflare/vitest-pool-workers) these tests use, typed with
// the module form of @cloudflare/workers-types so that both tsconfig.json (Node types) and
// tsconfig.workers.json check the tests without Workers globals leaking into Node code.
declare module 'cloudflare:test' {
  import type { D1Database, ExecutionContext, R2Bucket } from '@cloudflare/workers-types';

  /** Bindings from vitest.config.ts's workers project. */
  export const env: { DB: D1Database; MEDIA: R2Bucket };
  /** A context for calling a Worker's fetch handler directly. */
  export function createExecutionContext(): ExecutionContext;
  /** Waits for everything passed to `ctx.waitUntil`. */
  export function waitOnExecutionContext(ctx: ExecutionContext): Promise<void>;
  /** Deletes all data from all bindings (every D1 database starts empty again). */
  export function reset(): Promise<void>;
}
