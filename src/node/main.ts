// `npm start` / `wirefeed serve`: configuration from the environment and CLI flags, then serve.
import { SETTINGS } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { envFromArgs } from './args.ts';
import { startWirefeed } from './serve.ts';

const USAGE = `Usage: wirefeed serve [options]

Serves per-section RSS, Atom and JSON feeds of a folder of articles and republishes on every change.
Each option can also be set by its environment variable; a flag wins over the variable.

${SETTINGS.map(([name, flag, help, fallback]) => `  --${flag.padEnd(16)} ${name.padEnd(15)} ${help} (default ${fallback})`).join('\n')}
  --help             this text
`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === 'serve') args.shift();
  const env = envFromArgs(args, process.env);
  if (env === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const progress = process.stderr.isTTY ? showProgress : undefined;
  const wirefeed = await startWirefeed(env, { onProgress: progress });
  if (progress) process.stderr.write('\r\x1b[K');
  const stop = () => {
    void wirefeed.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

let lastShown = 0;
function showProgress(done: number, total: number): void {
  const now = Date.now();
  if (done !== total && now - lastShown < 200) return;
  lastShown = now;
  process.stderr.write(`\rindexing ${done}/${total} articles`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`wirefeed: ${error.message}`);
    process.exit(2);
  }
  console.error('wirefeed: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
