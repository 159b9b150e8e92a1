// Shared by the deployment recipes' tests: the package's own facts, env files, a free port, and
// the recipe's command run or started as a child process (given exactly the supervisor's env).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
export { runChild, startServing } from '../helpers/child-process.ts';
export { freePort } from '../helpers/free-port.ts';

export const ROOT = join(import.meta.dirname, '..', '..');

/** package.json's name, version and `bin` map. */
export async function packageJson(): Promise<{ name: string; version: string; bin: Record<string, string> }> {
  return JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
}

/** `KEY=VALUE` lines with `#` comments and blank lines, as systemd's EnvironmentFile= and `docker --env-file` read them. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const pair = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!pair) throw new Error(`line ${index + 1} is not KEY=VALUE: ${raw}`);
    env[pair[1]!] = pair[2]!;
  }
  return env;
}
