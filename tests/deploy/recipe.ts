// Shared by the deployment recipes' tests: the package's own facts, env files, a free port.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

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

/** A TCP port free on 127.0.0.1 a moment ago, for a child that must be told its port up front. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
