// Bulk publishing (`POST /api/articles`, NDJSON) and the paged listing on Node: the shared cases
// (./bulk-suite.ts) through app.request over a real temp folder (createFolderPublisher).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../src/site/sha256.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { runBulkSuite } from './bulk-suite.ts';
import { createFolderApp, entries } from './folder-app.ts';

runBulkSuite('bulk publishing into a folder', async ({ baseUrl, bulk }) => {
  const temp = await makeTempDir();
  const logs: string[] = [];
  const app = createFolderApp(temp.dir, { baseUrl, bulk, log: (line) => logs.push(line) });
  return {
    request: async (path, init) => app.request(path, init),
    stored: () => entries(temp.dir),
    folders: true,
    async file(path) {
      const [bytes, { mtime }] = await Promise.all([readFile(join(temp.dir, path)), stat(join(temp.dir, path))]);
      return { sha256: await sha256Hex(bytes), mtime: mtime.toISOString() };
    },
    logs,
    close: () => temp.remove(),
  };
});
