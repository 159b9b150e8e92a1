// Real wirefeed processes for the restart tests: `wirefeed serve` and `publish` as child processes
// (one process each, from the sources: tests/helpers/cli.ts, so SIGKILL reaches the process doing
// the work), with their output kept for failure messages.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { CLI } from '../helpers/cli.ts';
export { freePort } from '../helpers/free-port.ts';

// vitest (through Vite) sets BASE_URL=/ in its own environment; keep it and any token from children.
const { BASE_URL: _vite, PUBLISH_TOKEN: _token, ...INHERITED } = process.env;

export interface Child {
  process: ChildProcessWithoutNullStreams;
  /** stdout and stderr lines so far, stderr ones prefixed with `!`. */
  lines: string[];
  /** Resolves when the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Called with each stdout line as it arrives. */
  onLine?: (line: string) => void;
}

/** Starts `wirefeed ...args` with `env` on top of the test's environment (minus BASE_URL). */
export function startChild(args: string[], env: Record<string, string>): Child {
  const child = spawn(process.execPath, [...CLI, ...args], { env: { ...INHERITED, ...env }, stdio: 'pipe' });
  const result: Child = {
    process: child,
    lines: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  const collect = (prefix: string) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        result.lines.push(prefix + line);
        if (prefix === '') result.onLine?.(line);
      }
    };
  };
  child.stdout.on('data', collect(''));
  child.stderr.on('data', collect('!'));
  return result;
}

/** SIGKILL, then wait until the process is gone (its port and files are free after that). */
export async function killHard(child: Child): Promise<void> {
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
  await child.exited;
}


/** Waits for `/readyz` to answer 200 (the first scan is in); fails at once if `child` ends. */
export async function waitForHealthy(port: number, child: Child, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`server exited before /readyz answered 200:\n${child.lines.join('\n')}`);
    }
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    await response?.body?.cancel();
    if (response?.status === 200) return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`no /readyz 200 on port ${port} in ${timeoutMs} ms:\n${child.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
