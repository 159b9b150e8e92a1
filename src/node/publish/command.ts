// `wirefeed publish [DIR] --to URL`: makes a server's articles equal to a local folder through the
// publish API (publish/api.ts), by hash and mtime, so a re-run after an interruption finishes the job.
// `--watch` then pushes every add, change and delete as it happens. This file is the command:
// its options, the run, the exit code; the sync is sync-folder.ts, the watch loop watch.ts.
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../../site/config.ts';
import { ConfigError } from '../../errors.ts';
import { isFatal } from './client.ts';
import { syncFolder } from './sync-folder.ts';
import { createTerminal, formatSummary } from './terminal.ts';
import { watchFolder } from './watch.ts';

/** The `publish` lines of `wirefeed --help`. */
export const PUBLISH_HELP = `  --to URL             the wirefeed server, e.g. https://feeds.example.com (required)
  --token TOKEN        its PUBLISH_TOKEN; better set PUBLISH_TOKEN in the environment (never printed)
  --watch              after the sync keep running and push every add, change and delete
  --concurrency N      requests at a time (single uploads, or batches when the server takes them), 1-32 (default 4)
  --batch-files N      files per batch request at most, 1-5000 (default: the server's limit; 1 = one file a request)
  --dry-run            list what would be uploaded and deleted, change nothing
  --allow-empty        let an empty DIR delete every file on the server (refused otherwise)`;

/** The CLI: parses `publish`'s arguments, runs the sync (and the watch); resolves with the exit code. */
export async function runPublish(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const options = parsePublishArgs(args, env);
  const { log, progress, clear } = createTerminal({ watch: options.watch });
  if (!(await stat(options.dir).catch(() => undefined))?.isDirectory()) throw new ConfigError(`${options.dir} is not a folder`);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const run = { ...options, log, progress, signal: controller.signal, watcher: resolveConfig({ WATCHER: env.WATCHER }).watcher };
    const summary = options.watch ? await watchFolder(run) : await syncFolder(run);
    clear();
    process.stdout.write(`${options.dryRun ? 'dry run: ' : ''}${formatSummary(summary)}\n`);
    return summary.failed === 0 || options.watch ? 0 : 1;
  } catch (error) {
    clear();
    if (error instanceof ConfigError) throw error;
    if (isFatal(error) || controller.signal.aborted) {
      process.stderr.write(`wirefeed publish: ${controller.signal.aborted ? 'interrupted; run it again to finish' : error instanceof Error ? error.message : ''}\n`);
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

/** `publish`'s folder and flags, checked: a mistake is a ConfigError that says the fix. */
function parsePublishArgs(args: string[], env: Record<string, string | undefined>) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        to: { type: 'string' },
        token: { type: 'string' },
        watch: { type: 'boolean' },
        concurrency: { type: 'string' },
        'batch-files': { type: 'string' },
        'dry-run': { type: 'boolean' },
        'allow-empty': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run wirefeed --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new ConfigError(`publish takes one folder, not "${positionals.join(' ')}"`);
  const to = checkServerUrl(values.to);
  const token = values.token ?? env.PUBLISH_TOKEN;
  if (!token) throw new ConfigError('no token: set PUBLISH_TOKEN to the server\'s token (or pass --token)');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw new ConfigError(`--concurrency "${values.concurrency}" is not valid: use a whole number from 1 to 32`);
  }
  const batchFiles = values['batch-files'] === undefined ? undefined : Number(values['batch-files']);
  if (batchFiles !== undefined && (!Number.isInteger(batchFiles) || batchFiles < 1 || batchFiles > 5000)) {
    throw new ConfigError(`--batch-files "${values['batch-files']}" is not valid: use a whole number from 1 to 5000`);
  }
  if (values.watch && values['dry-run']) throw new ConfigError('--dry-run and --watch do not go together');
  return {
    dir: positionals[0] ?? './articles',
    to,
    token,
    concurrency,
    ...(batchFiles === undefined ? {} : { batchFiles }),
    watch: values.watch === true,
    dryRun: values['dry-run'] === true,
    allowEmpty: values['allow-empty'] === true,
  };
}

/** `--to` as an absolute http(s) URL; warns when plain http would carry the token unencrypted. */
function checkServerUrl(raw: string | undefined): string {
  if (!raw) throw new ConfigError('--to is required: the server\'s URL, e.g. --to https://feeds.example.com');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`--to "${raw}" is not an absolute URL: use e.g. https://feeds.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--to "${raw}" must start with http:// or https://`);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    process.stderr.write(`wirefeed publish: warning: ${url.host} is plain http, so the token travels unencrypted\n`);
  }
  return url.href;
}
