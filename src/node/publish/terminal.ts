// `wirefeed publish`'s terminal output: where each line goes (stdout, or stderr for failures),
// a single updating progress line on a terminal, and the closing summary line.
import type { SyncSummary } from './types.ts';

/** What `createTerminal` returns. */
export interface Terminal {
  /** One line of the run: failures always, others when stderr is not a terminal or in `--watch`. */
  log(line: string): void;
  /** The updating progress line, at most every 100 ms; undefined when stderr is not a terminal. */
  progress: ((text: string) => void) | undefined;
  /** Wipes the progress line, before anything else is written. */
  clear(): void;
}

/** The output for one run; `watch` prints every line, as a running log. */
export function createTerminal({ watch }: { watch: boolean }): Terminal {
  const tty = process.stderr.isTTY === true;
  const clear = () => void (tty && process.stderr.write('\r\x1b[K'));
  const log = (line: string) => {
    if (line.startsWith('failed') || !tty || watch) {
      clear();
      (line.startsWith('failed') ? process.stderr : process.stdout).write(`${line}\n`);
    }
  };
  const progress = tty ? throttled((text) => process.stderr.write(`\r\x1b[K${text}`)) : undefined;
  return { log, progress, clear };
}

/** `uploaded 3, deleted 1, unchanged 40, failed 0`. */
export function formatSummary({ uploaded, deleted, unchanged, failed }: SyncSummary): string {
  return `uploaded ${uploaded}, deleted ${deleted}, unchanged ${unchanged}, failed ${failed}`;
}

function throttled(write: (text: string) => void): (text: string) => void {
  let last = 0;
  return (text) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    write(text);
  };
}
