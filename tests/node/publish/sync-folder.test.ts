// `wirefeed publish` (syncFolder) with bulk batches and the paged listing, against a real Node
// server behind a recording proxy: one that pages by two (so the merge spans pages), and one
// that plays an older server (whole listing, no bulk caps, no POST), where single PUTs are used.
import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncFolder } from '../../../src/node/publish/sync-folder.ts';
import { startServer, type RunningServer } from '../../../src/node/server/http-server.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';

const TOKEN = 'bulk-test-token-5f0c2a9e7d41b3';
let a: TempDir;
let b: TempDir;
let server: Wirefeed;
let proxy: RunningServer;
let seen: string[];

beforeEach(async () => {
  a = await makeTempDir('wirefeed-a-');
  b = await makeTempDir('wirefeed-b-');
  seen = [];
  server = await startWirefeed({ ARTICLES_DIR: a.dir, PORT: '0', HOST: '127.0.0.1', PUBLISH_TOKEN: TOKEN, SETTLE_MS: '50', STATE_DIR: 'off' }, { log: () => {} });
  await server.intake.watching;
});

afterEach(async () => {
  await proxy?.close();
  await server.close();
  await a.remove();
  await b.remove();
});

/** A proxy in front of the server; `old` makes it answer as a server from before bulk publishing. */
async function startProxy(old: boolean): Promise<string> {
  proxy = await startServer(async (incoming) => {
    const url = new URL(incoming.url);
    seen.push(`${incoming.method} ${url.pathname}`);
    if (old && incoming.method === 'POST') return Response.json({ error: 'not found' }, { status: 404 });
    const target = new URL(`${url.pathname}${url.search}`, `http://127.0.0.1:${server.port}`);
    if (!old && target.searchParams.has('limit')) target.searchParams.set('limit', '2');
    if (old) target.search = '';
    const body = incoming.method === 'PUT' || incoming.method === 'POST' ? await incoming.arrayBuffer() : undefined;
    const response = await fetch(target, { method: incoming.method, headers: incoming.headers, body });
    if (!old || incoming.method !== 'GET' || url.pathname !== '/api/articles') return response;
    const { files } = (await response.json()) as { files: unknown[] };
    return Response.json({ files });
  }, { port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${proxy.port}`;
}

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => `${entry.parentPath.slice(dir.length + 1)}/${entry.name}`.replace(/^\//, '')).sort();
}

async function prepare() {
  // On the server already: one file equal to the local one, one changed locally, two gone locally.
  const dated = (dir: TempDir, path: string, text: string) => dir.write(path, text, new Date('2025-02-01T00:00:00Z'));
  await dated(a, 'b/same.txt', txtArticle('B', 'Same'));
  await dated(b, 'b/same.txt', txtArticle('B', 'Same'));
  await dated(a, 'b/changed.txt', txtArticle('B', 'Before'));
  await dated(b, 'b/changed.txt', txtArticle('B', 'After'));
  await dated(a, 'a/gone.txt', txtArticle('A', 'Gone'));
  await dated(a, 'z/gone.txt', txtArticle('Z', 'Gone too'));
  for (const name of ['a/1.txt', 'a/2.txt', 'c/3.txt', 'c/4.txt', 'd/5.txt']) await dated(b, name, txtArticle('News', name));
  await b.write('c/empty.txt', '');
}

describe('publish with bulk batches', () => {
  it('merges the paged listing with the folder and sends changes in batches, deletes included', async () => {
    await prepare();
    const to = await startProxy(false);
    const lines: string[] = [];
    const dry = await syncFolder({ dir: b.dir, to, token: TOKEN, dryRun: true, log: (line) => lines.push(line) });
    expect(dry).toEqual({ uploaded: 7, deleted: 2, unchanged: 1, failed: 0 });
    expect(lines).toContain('would delete z/gone.txt');
    expect(seen.filter((line) => !line.startsWith('GET'))).toEqual([]);

    const summary = await syncFolder({ dir: b.dir, to, token: TOKEN, batchFiles: 3, log: (line) => lines.push(line) });
    expect(summary).toEqual({ uploaded: 6, deleted: 2, unchanged: 1, failed: 1 });
    expect(lines).toContain('failed c/empty.txt: 422 empty file');
    expect(lines).toContain('uploaded b/changed.txt (updated)');
    expect(lines).toContain('deleted a/gone.txt');
    // Listing pages of two, batches of at most three lines, and no single PUT or DELETE.
    expect(seen.filter((line) => line === 'GET /api/articles').length).toBeGreaterThan(2);
    expect(seen.filter((line) => line === 'POST /api/articles')).toHaveLength(3);
    expect(seen.filter((line) => line.startsWith('PUT') || line.startsWith('DELETE'))).toEqual([]);
    expect(await files(a.dir)).toEqual((await files(b.dir)).filter((path) => path !== 'c/empty.txt'));

    const again = await syncFolder({ dir: b.dir, to, token: TOKEN });
    expect(again).toEqual({ uploaded: 0, deleted: 0, unchanged: 7, failed: 1 });
  });

  it('falls back to single PUTs and DELETEs against a server without the batch endpoint', async () => {
    await prepare();
    const to = await startProxy(true);
    const lines: string[] = [];
    const summary = await syncFolder({ dir: b.dir, to, token: TOKEN, log: (line) => lines.push(line) });
    expect(summary).toEqual({ uploaded: 6, deleted: 2, unchanged: 1, failed: 1 });
    expect(seen.filter((line) => line.startsWith('POST'))).toEqual([]);
    expect(seen.filter((line) => line.startsWith('PUT /api/articles/'))).toHaveLength(7);
    expect(seen.filter((line) => line.startsWith('DELETE /api/articles/'))).toHaveLength(2);
    expect(await files(a.dir)).toEqual((await files(b.dir)).filter((path) => path !== 'c/empty.txt'));
  });
});
