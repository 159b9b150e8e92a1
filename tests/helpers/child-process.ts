// Commands the tests run as child processes: their output kept as it arrives, their exit awaited.
import { spawn, type SpawnOptions } from 'node:child_process';
import { waitFor } from './wait.ts';

/** How a command that ran to its end went. */
export interface Finished {
  /** The exit code; null when a signal (or `timeout`) ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A command still running, or ended. */
export interface Started {
  stdout(): string;
  stderr(): string;
  /** stdout and stderr together, in the order they arrived. */
  output(): string;
  /** The exit code once it has ended; null when a signal ended it. */
  exited: Promise<number | null>;
  /** Waits for `pattern` in `output()` (the start-up line, say) and returns the match. */
  waitForOutput(pattern: RegExp, options?: { timeoutMs?: number; what?: string }): Promise<RegExpExecArray>;
  /** Sends `signal` (SIGTERM by default) if it is still running. */
  kill(signal?: NodeJS.Signals): void;
  /** Sends `signal` (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command` with `args`; its stdout and stderr are read as text. */
export function startChild(command: string, args: readonly string[], options: SpawnOptions = {}): Started {
  const child = spawn(command, args, options);
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const kill = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    async waitForOutput(pattern, { timeoutMs = 15_000, what = String(pattern) } = {}) {
      try {
        return (await waitFor(() => pattern.exec(output), { timeoutMs, what })).value!;
      } catch (error) {
        throw new Error(`${(error as Error).message}; its output so far: ${JSON.stringify(output)}`);
      }
    },
    kill,
    stop(signal) {
      kill(signal);
      return exited;
    },
  };
}

/** Runs `command` with `args` to its end (at most `options.timeout` ms if given); never rejects for a failing exit. */
export async function runChild(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  const child = startChild(command, args, options);
  const code = await child.exited;
  return { code, stdout: child.stdout(), stderr: child.stderr() };
}

/**
 * Starts a wirefeed server command and waits for its start-up line (`… serving URL`); stops it
 * if that line does not come. `baseUrl` is the URL the line names.
 */
export async function startServing(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Started & { baseUrl: string }> {
  const child = startChild(command, args, options);
  try {
    const [, baseUrl] = await child.waitForOutput(/serving (\S+)/, { timeoutMs: 15_000, what: 'the start-up line' });
    return { ...child, baseUrl: baseUrl! };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
