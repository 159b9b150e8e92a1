// The wirefeed server as the benchmarks run it: spawn over a folder, wait for /readyz, read
// /status, wait for it to settle, stop it with SIGTERM, and find the watch engine in its log.
import {
  TSX,
  captureOutput,
  cpuTimeMs,
  exitOf,
  freePort,
  httpGet,
  leafProcess,
  sleep,
  spawnGroup,
  stopGroup,
  waitFor200,
} from './lib.ts';
import type { ChildProcess } from 'node:child_process';

export interface RunningWirefeed {
  child: ChildProcess;
  /** The node process that runs src/node/main.ts (under tsx's wrapper). */
  pid: number;
  base: string;
  dir: string;
  /** performance.now() just before spawning. */
  spawnedAt: number;
  /** performance.now() at the first 200 from /readyz. */
  healthyAt: number;
  output(): string;
  /** performance.now() of the server's last line of output. */
  lastOutputAt(): number;
  stop(): Promise<void>;
}

/**
 * Spawns `tsx src/node/main.ts` over `dir` on a free loopback port and waits for /readyz = 200,
 * polling every 20 ms (the first-answer time is the cold-start figure).
 */
export async function startWirefeedChild(dir: string, { timeoutMs = 600_000, env = {} }: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunningWirefeed> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child = spawnGroup(TSX, ['src/node/main.ts'], {
    ...process.env,
    ARTICLES_DIR: dir,
    PORT: String(port),
    HOST: '127.0.0.1',
    ...env,
  });
  const output = captureOutput(child);
  const stop = () => stopGroup(child);
  try {
    const healthyAt = await waitFor200(`${base}/readyz`, { intervalMs: 20, timeoutMs, alive: () => child.exitCode === null });
    return { child, pid: leafProcess(child.pid!), base, dir, spawnedAt, healthyAt, output: output.text, lastOutputAt: output.lastAt, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output.text()}`);
  }
}

/** Sections as /status lists them. */
export async function sectionsOf(base: string): Promise<{ slug: string; name: string; articles: number }[]> {
  const answer = await httpGet(`${base}/status`);
  if (answer.status !== 200) throw new Error(`/status answered ${answer.status}`);
  return (JSON.parse(answer.body.toString()) as { sections: { slug: string; name: string; articles: number }[] }).sections;
}

/** Article total and sections from /status (JSON). */
export interface StatusJson {
  articles: number;
  sections: { slug: string; name: string; articles: number }[];
  rejected: unknown[];
}

export async function statusOf(base: string): Promise<StatusJson> {
  const answer = await httpGet(`${base}/status`, { accept: 'application/json' }, 30_000);
  if (answer.status !== 200) throw new Error(`/status answered ${answer.status}`);
  return JSON.parse(answer.body.toString()) as StatusJson;
}

/** Polls a feed every 20 ms (cheaply, with If-None-Match) until `title` is in it; returns performance.now() then. */
export async function waitForTitle(url: string, title: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let etag: string | undefined;
  while (performance.now() < deadline) {
    const answer = await httpGet(url, { 'accept-encoding': 'identity', ...(etag ? { 'if-none-match': etag } : {}) }, 10_000).catch(() => undefined);
    if (answer?.status === 200) {
      if (answer.body.toString().includes(title)) return performance.now();
      etag = typeof answer.headers.etag === 'string' ? answer.headers.etag : undefined;
    }
    await sleep(20);
  }
  throw new Error(`"${title}" did not appear in ${url} within ${timeoutMs} ms`);
}

/**
 * Waits until the server has settled after start-up (so a persisted state is flushed): at least
 * `minMs` after /readyz turned 200, no output for `quietMs`, and under 5% of a core used over the
 * last second; gives up after `maxMs`. Returns the ms waited after /readyz.
 */
export async function waitSettled(server: RunningWirefeed, { minMs = 2000, quietMs = 2000, maxMs = 120_000 } = {}): Promise<number> {
  let cpuBefore = cpuTimeMs(server.pid);
  while (performance.now() - server.healthyAt < maxMs) {
    await sleep(1000);
    const cpu = cpuTimeMs(server.pid);
    const busy = cpu - cpuBefore > 50;
    cpuBefore = cpu;
    const now = performance.now();
    if (!busy && now - server.healthyAt >= minMs && now - server.lastOutputAt() >= quietMs) break;
  }
  return performance.now() - server.healthyAt;
}

/**
 * Sends SIGTERM to the server's node process alone (not to tsx's wrapper as well, so it gets one
 * signal) and waits for it to exit; after `timeoutMs` the group is killed. Returns SIGTERM → exit
 * in ms, NaN if it had to be killed.
 */
export async function terminate(server: RunningWirefeed, timeoutMs = 120_000): Promise<number> {
  const start = performance.now();
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  const code = await exitOf(server.child, timeoutMs);
  if (code === 'timeout') {
    await server.stop();
    return NaN;
  }
  return performance.now() - start;
}

/**
 * The start-up log line that names the watch engine (looked for in the first 50 lines, leaving out
 * lines about article files), or what the server was before issue 9.
 */
export function engineOf(output: string): string {
  const line = output
    .split('\n')
    .slice(0, 50)
    .find((text) => /watch/i.test(text) && /\b(engine|WATCHER=?|native|@?parcel|chokidar)\b/i.test(text) && !/\.(txt|md|markdown)\b/i.test(text));
  return line === undefined ? 'chokidar (pre-issue-9)' : line.trim().slice(0, 160);
}
