// CLI flags -> environment-style settings, one flag per setting in site/config.ts.
import { parseArgs } from 'node:util';
import { SETTINGS, type Env } from '../site/config.ts';
import { ConfigError } from '../errors.ts';

/** Turns CLI flags into environment-style settings over `env`. */
export function envFromArgs(args: string[], env: Record<string, string | undefined>): Env | 'help' {
  const options = Object.fromEntries(SETTINGS.map(([, flag]) => [flag, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean' } }, allowPositionals: false });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for the options.`);
  }
  if (parsed.values.help) return 'help';
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const result: Env = {};
  for (const [name, flag] of SETTINGS) {
    const value = values[flag] ?? env[name];
    if (typeof value === 'string') result[name] = value;
  }
  return result;
}
