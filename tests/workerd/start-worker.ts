// The Worker as `npm run dev:worker` runs it (wrangler.toml, workerd, local D1 and R2), started
// in this process with wrangler's `unstable_startWorker` over an empty persist folder of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unstable_startWorker } from 'wrangler';

const ROOT = join(import.meta.dirname, '..', '..');

/** A running Worker. */
export interface StartedWorker {
  /** Where it answers: `http://127.0.0.1:PORT`. */
  origin: string;
  /** Its persist folder (the local D1 databases are under `v3/d1`). */
  persist: string;
  /** Stops it and removes the persist folder. */
  close(): Promise<void>;
}

/**
 * Starts the Worker with `vars` as plain-text bindings, on `port` (0: any free one), and waits
 * until it answers; if it does not come up, whatever was started is stopped and removed.
 */
export async function startWorker(vars: Record<string, string>, { port = 0 } = {}): Promise<StartedWorker> {
  const persist = await mkdtemp(join(tmpdir(), 'wirefeed-worker-'));
  const removePersist = () => rm(persist, { recursive: true, force: true });
  const bindings = Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }]));
  const worker = await withTimeout(
    unstable_startWorker({
      config: join(ROOT, 'wrangler.toml'),
      bindings,
      dev: { server: { hostname: '127.0.0.1', port }, inspector: false, persist, watch: false, logLevel: 'warn' },
    }),
    60_000,
    'the Worker to start',
  ).catch(async (error: unknown) => {
    await removePersist();
    throw error;
  });
  const close = async () => {
    await worker.dispose();
    await removePersist();
  };
  try {
    await worker.ready;
    return { origin: (await worker.url).origin, persist, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  // TOOLCHAIN.md: with a compatibility_date this workerd does not know, startWorker hangs forever.
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
}
