// A fresh D1 database for each test: the pool's `reset()` empties every binding, then the
// schema goes back on (the store's once-per-binding memo would not notice the reset).
import { env, reset } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { applyD1Schema } from '../../src/workers/schema.ts';

export async function emptyDatabase(): Promise<D1Database> {
  await reset();
  await applyD1Schema(env.DB);
  return env.DB;
}
