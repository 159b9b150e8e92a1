// Collects the figures the reliability tests wrote (test-artifacts/reliability/*.json) into
// RELIABILITY.md. Run by `npm run test:soak` after the long runs.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIGURES_DIR, type Figures } from './figures.ts';

type Run = Figures & { mode: string; at: string };

const files = (await readdir(FIGURES_DIR)).filter((name) => name.endsWith('.json')).sort();
const runs: Run[] = await Promise.all(files.map(async (name) => JSON.parse(await readFile(join(FIGURES_DIR, name), 'utf8')) as Run));
const lines = [
  '# Reliability',
  '',
  'Each section is one test from `tests/reliability/`, with the figures of one run and the command',
  'that reproduces it. `npm test` runs a short form of each; `npm run test:soak` runs the long form',
  'and rewrites this file. Machine: 2 cores, shared and noisy; Node ' + process.version + '.',
  '',
];
for (const run of runs) {
  lines.push(`## ${run.title}`, '', run.note, '', `Run: ${run.mode}, ${run.at}. Reproduce: \`${run.command}\``, '');
  lines.push('| figure | value |', '| --- | --- |');
  for (const [name, value] of Object.entries(run.rows)) lines.push(`| ${name} | ${value} |`);
  lines.push('');
}
await writeFile(join(import.meta.dirname, '..', '..', 'RELIABILITY.md'), lines.join('\n'));
console.log(`RELIABILITY.md: ${runs.length} sections`);
