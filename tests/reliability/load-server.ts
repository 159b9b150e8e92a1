// A real wirefeed in its own process (`node --import tsx src/node/main.ts`), as `npm start` runs
// it: the load test measures its memory alone, and the abuse test sees it die if a request kills it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEEP_LINES = 100_000;

export interface ServerProcess {
  pid: number;
  port: number;
  /** `http://127.0.0.1:PORT`, as the server prints it. */
  baseUrl: string;
  /** The last lines of stdout and stderr (bounded). */
  stdout: string[];
  stderr: string[];
  /** Errors logged by the app (module `app`, level error): unexpected errors. */
  appErrors(): number;
  /** Set once the process has ended: its exit code or signal. */
  exit(): string | undefined;
  /** Resident set size in KiB from /proc/PID/status, or undefined once it has ended. */
  rssKb(): Promise<number | undefined>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a wirefeed process on a free loopback port with `env` (ARTICLES_DIR and friends) and
 * resolves once it has indexed and printed its URL; rejects after `timeoutMs`.
 */
export function startServerProcess(env: Record<string, string>, { timeoutMs = 30_000 } = {}): Promise<ServerProcess> {
  // A small environment of our own: nothing from the test runner leaks into the server.
  const childEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TMPDIR: process.env.TMPDIR ?? '/tmp', ...env, PORT: '0', HOST: '127.0.0.1' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/main.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let appErrors = 0;
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit ${code}`;
      resolve();
    });
  });
  // Not a terminal: the log is JSON, one record a line (src/node/logger.ts).
  collect(child, 'stdout', stdout, (line) => {
    if (!line.includes('"module":"app"')) return;
    const record = logRecord(line);
    if (record?.module === 'app' && record.level === 'error') appErrors += 1;
  });
  collect(child, 'stderr', stderr);

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[load-server] not serving after ${timeoutMs} ms: ${stderr.slice(-5).join(' | ')}`));
    }, timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`[load-server] exited (${exit}) before serving: ${stderr.slice(-5).join(' | ')}`));
    });
    const onData = () => {
      const url = stdout.map((line) => /serving (http:\/\/127\.0\.0\.1:(\d+))$/.exec(logRecord(line)?.msg ?? '')).find(Boolean);
      if (!url) return;
      child.stdout!.off('data', onData);
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        port: Number(url[2]),
        baseUrl: url[1]!,
        stdout,
        stderr,
        appErrors: () => appErrors,
        exit: () => exit,
        rssKb: () => readRssKb(child.pid!),
        async stop(graceMs = 5000) {
          if (exit !== undefined) return;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(killer);
        },
      });
    };
    child.stdout!.on('data', onData);
  });
}

/** One line of the server's JSON log, or undefined for anything else. */
function logRecord(line: string): { level?: string; module?: string; msg?: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as { level?: string; module?: string; msg?: string };
  } catch {
    return undefined;
  }
}

function collect(child: ChildProcess, stream: 'stdout' | 'stderr', lines: string[], onLine?: (line: string) => void): void {
  let partial = '';
  child[stream]!.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      onLine?.(line);
      lines.push(line);
      if (lines.length > KEEP_LINES) lines.shift();
    }
  });
}

async function readRssKb(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const match = status && /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}
