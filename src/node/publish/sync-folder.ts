// `wirefeed publish` without `--watch`: one pass that makes the server's media and articles
// equal to the local folder.
import { realpath } from 'node:fs/promises';
import { syncMedia } from './media.ts';
import { createPusher } from './pusher.ts';
import type { SyncOptions, SyncSummary } from './types.ts';

/** One sync pass: upload new and changed files, delete what is gone locally. */
export async function syncFolder(options: SyncOptions): Promise<SyncSummary> {
  const dir = await realpath(options.dir);
  const media: SyncSummary = { uploaded: 0, deleted: 0, unchanged: 0, failed: 0 };
  await syncMedia(dir, options, media);
  const articles = await createPusher(dir, options).syncAll();
  return {
    uploaded: articles.uploaded + media.uploaded,
    deleted: articles.deleted + media.deleted,
    unchanged: articles.unchanged + media.unchanged,
    failed: articles.failed + media.failed,
  };
}
