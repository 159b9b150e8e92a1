// The app with the publish API on over a real folder (createFolderPublisher): how the Node
// publish tests build it, and what they read back from the folder.
import { readdir } from 'node:fs/promises';
import { createApp } from '../../src/http/app.ts';
import { createFolderPublisher } from '../../src/node/folder-publisher.ts';
import type { PublishApiOptions } from '../../src/publish/api.ts';
import { createMemoryStore } from '../../src/store/drivers/memory.ts';
import { PARSE_OPTIONS, SITE } from '../helpers/articles.ts';
import { MAX_BYTES, TOKEN } from './fixtures.ts';

/** What a test may set: the site's BASE_URL (SITE's by default) and the publish API's log, clock and bulk caps. */
export interface FolderAppOptions extends Pick<PublishApiOptions, 'log' | 'now' | 'bulk'> {
  baseUrl?: string;
}

/** createApp over a memory store, with the publish API (TOKEN, MAX_BYTES a file) writing into `dir`. */
export function createFolderApp(dir: string, { baseUrl = SITE.baseUrl, log, now, bulk }: FolderAppOptions = {}): ReturnType<typeof createApp> {
  return createApp({
    store: createMemoryStore(),
    site: { ...SITE, baseUrl },
    feedLimit: 50,
    publish: {
      token: TOKEN,
      publisher: createFolderPublisher({ dir, parseOptions: { ...PARSE_OPTIONS, maxBytes: MAX_BYTES } }),
      maxBytes: MAX_BYTES,
      log,
      now,
      bulk,
    },
  });
}

/** Every entry under `dir`, folders and dotfiles included, sorted. */
export async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).sort();
}
