// Shared by the reliability tests: how big a run is (short in `npm test`, long in
// `npm run test:soak`), and where each test writes the figures RELIABILITY.md reports.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** True under `npm run test:soak` (SOAK=1): long runs. */
export const SOAK = process.env.SOAK === '1';

/** `short` in `npm test`, `long` under `npm run test:soak`. */
export function size(short: number, long: number): number {
  return SOAK ? long : short;
}

export const FIGURES_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'reliability');

/** One test's figures: what it tried, what it injected, what it saw. */
export interface Figures {
  /** Section title in RELIABILITY.md. */
  title: string;
  /** The command that reproduces the run. */
  command: string;
  /** Ordered rows: figure name -> value. */
  rows: Record<string, string | number>;
  /** One or two sentences: what the test does and what passing means. */
  note: string;
}

/** Writes `figures` as `<name>.json` for tests/reliability/report.ts, marking short or soak runs. */
export async function recordFigures(name: string, figures: Figures): Promise<void> {
  await mkdir(FIGURES_DIR, { recursive: true });
  const run = { ...figures, mode: SOAK ? 'soak' : 'short', at: new Date().toISOString() };
  await writeFile(join(FIGURES_DIR, `${name}.json`), `${JSON.stringify(run, null, 2)}\n`);
}
