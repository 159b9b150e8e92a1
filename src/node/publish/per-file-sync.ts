// `wirefeed publish` against an older server that sends its whole listing at once: the listing is
// compared with the folder in memory, and each new, changed or gone file is one request.
import { ConfigError } from '../../errors.ts';
import type { StoredFile } from '../../publish/contract.ts';
import { walkArticles } from '../intake/walk.ts';
import { runLimited } from '../run-limited.ts';
import { isFatal, messageOf } from './client.ts';
import { isSame, readLocal, type LocalFile } from './local-file.ts';
import type { Outcome, SyncOptions, SyncSummary } from './types.ts';

export interface PerFileContext {
  dir: string;
  options: SyncOptions;
  /** The server's whole listing. */
  listing: StoredFile[];
  /** Paths the server has, as far as this run knows (watch mode re-pushes those under a stale folder). */
  onServer: Set<string>;
  /** A single PUT (with `local`) or DELETE (without). */
  push(path: string, local?: LocalFile): Promise<Outcome>;
}

/** One sync pass with a request per file: uploads first, then deletions. */
export async function syncPerFile({ dir, options, listing, onServer, push }: PerFileContext): Promise<SyncSummary> {
  const { log = () => {}, progress = () => {}, concurrency = 4 } = options;
  const summary: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  const stored = new Map(listing.map((file) => [file.path, file]));
  for (const path of stored.keys()) onServer.add(path);
  const paths = (await walkArticles(dir)).files;
  const present = new Set(paths);
  const gone = [...stored.keys()].filter((path) => !present.has(path));
  if (paths.length === 0 && gone.length > 0 && !options.allowEmpty) {
    throw new ConfigError(`${options.dir} has no article files: refusing to delete all ${gone.length} files on the server (pass --allow-empty to do that)`);
  }
  const count = (outcome: Outcome) => {
    summary[outcome.kind] += 1;
    if (outcome.kind !== 'unchanged') log(outcome.line);
  };
  // One file's trouble is reported and the rest go on; a refused token or an interrupt stops all.
  const settle = async (path: string, outcome: () => Promise<Outcome | undefined>) => {
    try {
      const result = await outcome();
      if (result) count(result);
    } catch (error) {
      if (isFatal(error) || options.signal?.aborted) throw error;
      count({ kind: 'failed', line: `failed ${path}: ${messageOf(error)}` });
    }
  };
  let done = 0;
  await runLimited(paths, concurrency, async (path) => {
    await settle(path, async () => {
      const local = await readLocal(dir, path);
      const file = stored.get(path);
      if (!local) return undefined;
      if (file && (await isSame(local, file))) return { kind: 'unchanged', line: '' };
      return options.dryRun ? { kind: 'uploaded', line: `would upload ${path}` } : push(path, local);
    });
    progress(`uploading ${++done}/${paths.length}`);
  }, { signal: options.signal });
  done = 0;
  await runLimited(gone, concurrency, async (path) => {
    await settle(path, async () => (options.dryRun ? { kind: 'deleted', line: `would delete ${path}` } : push(path)));
    progress(`deleting ${++done}/${gone.length}`);
  }, { signal: options.signal });
  return summary;
}
