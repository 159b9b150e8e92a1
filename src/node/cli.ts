// The `wirefeed` command: `serve` (the default, and `npm start`), `publish` and `build`.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { SETTINGS, resolveConfig, type Env } from '../site/config.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { envFromArgs } from './args.ts';
import { PUBLISH_HELP, runPublish } from './publish/command.ts';
import { createLogger } from './logger.ts';
import { startWirefeed, type Wirefeed } from './server/serve.ts';

const SETTING_LINES = SETTINGS.map(([name, flag, help, fallback]) => `  --${flag.padEnd(16)} ${name.padEnd(15)} ${help} (default ${fallback})`).join('\n');

export const USAGE = `Usage: wirefeed [command] [options]

Commands:
  serve [DIR] [options]  serve per-section RSS, Atom and JSON feeds of the article folder DIR
                         (default ARTICLES_DIR, else ./articles) and republish on every change
                         (the default command; also \`npm start\`)
  publish [DIR] --to URL upload the article folder DIR (default ./articles) to a wirefeed server's
                         publish API and delete what is gone; --watch keeps it in step
  build [DIR] [--out D]  render the site as static files into D (default ./dist)
  help, --help           this text
  --version              the version

Options of serve and build (each also read from its environment variable; a flag wins):
${SETTING_LINES}

Options of publish:
${PUBLISH_HELP}
`;

/** Runs the CLI with `args` (without node and script); resolves with the exit code. */
export async function runCli(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || command.startsWith('-')) {
      if (command === '--version' || command === '-v') return await printVersion();
      if (command === '-h') return printHelp();
      return await serve(args);
    }
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'publish':
        return await runPublish(rest, process.env);
      case 'build':
        return await build(rest);
      case 'help':
        return printHelp();
      case 'version':
        return await printVersion();
      default:
        throw new ConfigError(`unknown command "${command}": run wirefeed --help for the commands`);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`wirefeed: ${error.message}`);
      return 2;
    }
    console.error(`wirefeed: ${errorMessage(error)}`);
    return 1;
  }
}

function printHelp(): number {
  process.stdout.write(USAGE);
  return 0;
}

async function printVersion(): Promise<number> {
  // By the package's own name (`exports` lists ./package.json): the same from src/node/ under tsx
  // and from the bundle in dist/, where a relative path would differ.
  const { version } = createRequire(import.meta.url)('wirefeed/package.json') as { version: string };
  process.stdout.write(`wirefeed ${version}\n`);
  return 0;
}

/**
 * `serve [DIR]`: starts the server; resolves once the first scan is in. SIGINT and SIGTERM stop it gracefully
 * from the first moment (during the scan too) and exit 0; a second signal exits at once.
 */
async function serve(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {}, 1);
  if (values.help) return printHelp();
  const settings = envFromArgs(settingFlags(values), process.env);
  if (settings === 'help') return printHelp();
  const [dir] = positionals;
  // Two folders named on one command line: neither may win silently.
  if (dir !== undefined && typeof values['articles-dir'] === 'string') {
    throw new ConfigError(`serve was given two article folders, "${dir}" and --articles-dir "${values['articles-dir']}": name one`);
  }
  const env: Env = dir === undefined ? settings : { ...settings, ARTICLES_DIR: dir };
  // Checked here as well, so that a mistake stops everything before a signal handler or a log exists.
  const config = resolveConfig(env);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const progress = process.stderr.isTTY ? showProgress : undefined;
  const stopping = new AbortController();
  let wirefeed: Wirefeed | undefined;
  const exit = (code: number) => {
    if (progress) process.stderr.write('\r\x1b[K');
    process.exit(code);
  };
  const onSignal = (name: NodeJS.Signals) => {
    if (stopping.signal.aborted) {
      logger.warn(`${name} again: exiting at once`);
      return exit(name === 'SIGINT' ? 130 : 143);
    }
    logger.info(`${name}: stopping`);
    stopping.abort(new StopRequested(name));
    // During the first scan startWirefeed stops by itself and rejects with StopRequested.
    wirefeed?.close().then(
      () => exit(0),
      (error: unknown) => {
        logger.error(`stopping failed: ${errorMessage(error)}`);
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    wirefeed = await startWirefeed(env, { logger, onProgress: progress, signal: stopping.signal });
  } catch (error) {
    if (error instanceof StopRequested) exit(0);
    if (error instanceof ConfigError) throw error;
    throw new Error(`failed to start: ${errorMessage(error)}`, { cause: error });
  }
  if (progress) process.stderr.write('\r\x1b[K');
  // A signal in the moment between the scan's end and here found nothing to close yet.
  if (stopping.signal.aborted) await wirefeed.close().then(() => exit(0));
  return 0;
}

class StopRequested extends Error {
  override name = 'StopRequested';
  constructor(signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}

let lastShown = 0;
function showProgress(done: number, total: number): void {
  const now = Date.now();
  if (done !== total && now - lastShown < 200) return;
  lastShown = now;
  process.stderr.write(`\rindexing ${done}/${total} articles`);
}

/** `build [DIR] [--out DIR]`: src/node/build/build-site.ts's buildSite, loaded only when asked for. */
async function build(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { out: { type: 'string' } }, 1);
  if (values.help) return printHelp();
  const settings = envFromArgs(settingFlags(values), process.env);
  if (settings === 'help') return printHelp();
  const env: Env = positionals[0] ? { ...settings, ARTICLES_DIR: positionals[0] } : settings;
  // A literal specifier, so the bundle carries build-site.ts (as a chunk loaded only here).
  const { buildSite } = await import('./build/build-site.ts');
  await buildSite({ dir: env.ARTICLES_DIR ?? './articles', out: typeof values.out === 'string' ? values.out : './dist', env });
  return 0;
}

type Options = Record<string, { type: 'string' | 'boolean' }>;

/** Parses a command's own options plus the settings' flags; throws ConfigError on a mistake. */
function parseCommand(args: string[], own: Options, maxPositionals: number) {
  const settings = Object.fromEntries(SETTINGS.map(([, flag]) => [flag, { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...settings, ...own, help: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run wirefeed --help for the options.`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new ConfigError(`unexpected argument "${parsed.positionals[maxPositionals]}". Run wirefeed --help for the options.`);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** The settings' flags among parsed values, back as arguments for envFromArgs. */
function settingFlags(values: Record<string, string | boolean | undefined>): string[] {
  return SETTINGS.flatMap(([, flag]) => (typeof values[flag] === 'string' ? [`--${flag}`, values[flag]] : []));
}
