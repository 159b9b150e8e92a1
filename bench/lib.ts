// Shared helpers for the benchmark suite: corpora, child processes, HTTP polling, statistics, tables.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
export const GEN_ARTICLES = process.env.GEN_ARTICLES ?? '/work/shared/tools/gen-articles';
/** Files the bench adds to a corpus start with this, so a re-run can remove leftovers. */
export const BENCH_PREFIX = 'zz-bench-';

const started = performance.now();

/** Progress line on stderr, with seconds since the run began. */
export function progress(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- statistics

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Linear interpolation between closest ranks (the spreadsheet PERCENTILE.INC definition). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : 'n/a';
}

export function mib(kB: number): string {
  return fmt(kB / 1024);
}

// ---------------------------------------------------------------- tables

export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machineNote(runs: string): string {
  return `${availableParallelism()} cores, shared, noisy; Node ${process.version}; medians of ${runs}`;
}

/** The 1, 5 and 15 minute load averages, e.g. "0.52 / 0.61 / 0.40". */
export function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' / ');
}

// ---------------------------------------------------------------- child processes

const children = new Set<ChildProcess>();
const closed = new WeakSet<ChildProcess>();

/**
 * Spawns a child in its own process group (tsx runs the script in a grandchild), so the
 * whole group can be ended by the child's id.
 */
export function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('close', () => {
    children.delete(child);
    closed.add(child);
  });
  return child;
}

/**
 * Resolves with the child's exit code once it has exited and its output pipes are closed (so the
 * grandchild tsx runs is gone too), or 'timeout' after `ms`; the timer never keeps the bench alive.
 */
export function exitOf(child: ChildProcess, ms: number): Promise<number | null | 'timeout'> {
  if (closed.has(child)) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Ends the child's process group and waits (bounded) for the child to exit. */
export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || closed.has(child)) return;
  const exited = exitOf(child, graceMs);
  signalGroup(child, 'SIGTERM');
  if ((await exited) === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await exitOf(child, 2000);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Ends every child still running: on SIGINT, and as a last resort on exit. */
export function stopAllChildren(): void {
  for (const child of children) signalGroup(child, 'SIGKILL');
}

/** Collects a child's stdout and stderr, for error messages and log lines; `lastAt` is performance.now() of the last output. */
export function captureOutput(child: ChildProcess): { text(): string; lastAt(): number } {
  let text = '';
  let lastAt = performance.now();
  const append = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-100_000);
    lastAt = performance.now();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => text, lastAt: () => lastAt };
}

/**
 * The deepest node process under `pid` (tsx's wrapper runs the script in a child node process;
 * other children, such as esbuild's service, are passed over).
 */
export function leafProcess(pid: number): number {
  const parents = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), { ppid, comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // The process ended while we looked.
    }
  }
  let current = pid;
  for (let depth = 0; depth < 5; depth++) {
    const child = [...parents].find(([, { ppid, comm }]) => ppid === current && comm.startsWith('node'))?.[0];
    if (child === undefined) break;
    current = child;
  }
  return current;
}

/** VmHWM (peak resident set) and VmRSS of a process, in kB; undefined once it has exited. */
export function memoryOf(pid: number): { hwmKb: number; rssKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmKb: field('VmHWM'), rssKb: field('VmRSS') };
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU time a process has used so far, in ms (clock-tick resolution); NaN once it has exited. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** A free loopback port (released again before the caller binds it; good enough on a bench box). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- HTTP

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** GET over loopback with a keep-alive agent; rejects on connection errors and after `timeoutMs`. */
export function httpGet(url: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `url` every `intervalMs` until it answers 200; returns performance.now() at that answer. */
export async function waitFor200(url: string, { intervalMs, timeoutMs, alive }: { intervalMs: number; timeoutMs: number; alive: () => boolean }): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (!alive()) throw new Error(`server exited before ${url} answered 200`);
    const tick = performance.now();
    const answer = await httpGet(url, {}, 2000).catch(() => undefined);
    if (answer?.status === 200) return performance.now();
    await sleep(Math.max(0, intervalMs - (performance.now() - tick)));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------- results

/** One goal and whether this run met it. */
export interface Goal {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

/** A finished benchmark: its markdown section (heading, note, table, notes) and its goals. */
export interface Section {
  markdown: string;
  goals: Goal[];
}
