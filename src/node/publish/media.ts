// `wirefeed publish`: media files (images, audio, video) go up before the articles, so that the
// server knows an image's length and type when it renders the items that show it. Changed files
// (by SHA-256) are uploaded, files gone locally are deleted on the server.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../site/sha256.ts';
import { listMediaFiles } from '../media-files.ts';
import { createClient, isFatal, messageOf, reasonOf } from './client.ts';
import type { SyncOptions, SyncSummary } from './types.ts';
import { runLimited } from '../run-limited.ts';

/** One pass over the folder's media files; adds its counts to `summary`. */
export async function syncMedia(dir: string, options: SyncOptions, summary: SyncSummary): Promise<void> {
  const { log = () => {}, concurrency = 4 } = options;
  const client = createClient(options);
  const paths = await listMediaFiles(dir);
  let stored: Map<string, string>;
  try {
    stored = new Map((await client.list('media')).map((file) => [file.path, file.sha256]));
  } catch (error) {
    if (isFatal(error) || paths.length === 0) {
      if (isFatal(error)) throw error;
      return;
    }
    log(`failed to publish ${paths.length} media files: ${messageOf(error)}`);
    summary.failed += paths.length;
    return;
  }
  const present = new Set(paths);
  const gone = [...stored.keys()].filter((path) => !present.has(path));
  await runLimited(paths, concurrency, async (path) => {
    try {
      const bytes = await readFile(join(dir, ...path.split('/')));
      if (stored.get(path) === (await sha256Hex(bytes))) {
        summary.unchanged += 1;
        return;
      }
      if (options.dryRun) {
        log(`would upload ${path}`);
        summary.uploaded += 1;
        return;
      }
      const response = await client.send('PUT', path, { bytes, mtime: new Date() }, 'media');
      if (!response.ok) throw new Error(await reasonOf(response));
      const { change } = (await response.json()) as { change: string };
      log(`uploaded ${path} (${change})`);
      summary[change === 'unchanged' ? 'unchanged' : 'uploaded'] += 1;
    } catch (error) {
      if (isFatal(error) || options.signal?.aborted) throw error;
      log(`failed ${path}: ${messageOf(error)}`);
      summary.failed += 1;
    }
  }, { signal: options.signal });
  if (paths.length === 0 && gone.length > 0 && !options.allowEmpty) {
    log(`${options.dir} has no media files: not deleting the ${gone.length} on the server (pass --allow-empty to do that)`);
    return;
  }
  await runLimited(gone, concurrency, async (path) => {
    if (options.dryRun) {
      log(`would delete ${path}`);
      summary.deleted += 1;
      return;
    }
    const response = await client.send('DELETE', path, undefined, 'media');
    if (response.status === 204 || response.status === 404) {
      log(`deleted ${path}`);
      summary.deleted += 1;
    } else {
      log(`failed to delete ${path}: ${await reasonOf(response)}`);
      summary.failed += 1;
    }
  }, { signal: options.signal });
}
