// `wirefeed publish` end to end: a real Node server with PUBLISH_TOKEN over folder A, and the CLI
// (a real process running the CLI's sources, or syncFolder in-process) publishing folder B to it.
import { request } from 'node:http';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncFolder } from '../../../src/node/publish/sync-folder.ts';
import { startServer, type RunningServer } from '../../../src/node/server/http-server.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { runChild, startChild, type Finished } from '../../helpers/child-process.ts';
import { CLI } from '../../helpers/cli.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

const TOKEN = 'cli-test-token-5f0c2a9e7d41b3';
// vitest (through Vite) sets BASE_URL=/ in its own environment: keep it from the child.
const { BASE_URL: _vite, PUBLISH_TOKEN: _outer, ...ENV } = process.env;

let a: TempDir;
let b: TempDir;
let server: Wirefeed;
let lines: string[];
const url = () => `http://127.0.0.1:${server.port}`;

beforeEach(async () => {
  a = await makeTempDir('wirefeed-a-');
  b = await makeTempDir('wirefeed-b-');
  lines = [];
  server = await startWirefeed(
    { ARTICLES_DIR: a.dir, PORT: '0', HOST: '127.0.0.1', PUBLISH_TOKEN: TOKEN, SETTLE_MS: '50', MAX_FILE_BYTES: '4KiB' },
    { log: (line) => lines.push(line) },
  );
  await server.intake.watching;
});

afterEach(async () => {
  await server.close();
  await a.remove();
  await b.remove();
  expect(lines.filter((line) => line.includes(TOKEN))).toEqual([]);
});

/** Runs `wirefeed publish ...args` as a real process and waits for it to end. */
function publish(args: string[], env: Record<string, string> = { PUBLISH_TOKEN: TOKEN }): Promise<Finished> {
  return runChild(process.execPath, [...CLI, 'publish', ...args], { env: { ...ENV, ...env } });
}

/** Every file under a folder with its bytes and mtime (ms), by relative path. */
async function snapshot(dir: string): Promise<Record<string, { text: string; mtime: string }>> {
  const result: Record<string, { text: string; mtime: string }> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const path = file.slice(dir.length + 1).split('\\').join('/');
    // The server's own state folder (STATE_DIR, `.wirefeed` by default) is not an article.
    if (path.split('/').includes('.wirefeed')) continue;
    result[path] = { text: await readFile(file, 'utf8'), mtime: new Date(Math.trunc((await stat(file)).mtimeMs)).toISOString() };
  }
  return result;
}

const status = async () => (await (await fetch(`${url()}/status`)).json()) as { articles: number; rejected: { path: string }[] };
const titles = async () => {
  const feed = (await (await fetch(`${url()}/feed.json`)).json()) as { items: { title: string; date_published: string }[] };
  return feed.items.map((item) => `${item.title} @ ${item.date_published}`).sort();
};

describe('wirefeed publish', () => {
  it('makes the server folder equal to the local one, then keeps it so across runs', async () => {
    await b.write('politics/talks.txt', txtArticle('Politics', 'Talks continue'), new Date('2025-02-03T04:05:06.789Z'));
    await b.write('sports.txt', txtArticle('Sports', 'Home side wins'), new Date('2025-02-04T10:00:00.000Z'));
    await b.write('world/quake.md', '---\ntitle: Quake\nsection: World\n---\nShaking.', new Date('2025-02-05T00:00:00.000Z'));
    await b.write('.hidden.txt', txtArticle('X', 'Hidden'));
    await b.write('notes.pdf', 'not an article');
    await b.write('draft.txt~', 'editor backup');

    const first = await publish([b.dir, '--to', url()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/uploaded 3, deleted 0, unchanged 0, failed 0\n$/);
    const published = await snapshot(a.dir);
    expect(Object.keys(published).sort()).toEqual(['politics/talks.txt', 'sports.txt', 'world/quake.md']);
    const local = await snapshot(b.dir);
    for (const path of Object.keys(published)) expect(published[path], path).toEqual(local[path]);
    await waitFor(async () => (await status()).articles === 3, { what: 'three articles on /status' });
    // A .txt article is dated by its file's mtime: the server shows B's dates, to the millisecond.
    expect(await titles()).toEqual([
      'Home side wins @ 2025-02-04T10:00:00.000Z',
      'Quake @ 2025-02-05T00:00:00.000Z',
      'Talks continue @ 2025-02-03T04:05:06.789Z',
    ]);

    const again = await publish([b.dir, '--to', url()]);
    expect([again.code, again.stdout]).toEqual([0, 'uploaded 0, deleted 0, unchanged 3, failed 0\n']);

    await rm(join(b.dir, 'sports.txt'));
    await b.write('politics/talks.txt', txtArticle('Politics', 'Talks end'), new Date('2025-02-06T00:00:00.000Z'));
    const third = await publish([b.dir, '--to', url()]);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('uploaded politics/talks.txt (updated)\n');
    expect(third.stdout).toContain('deleted sports.txt\n');
    expect(third.stdout).toMatch(/uploaded 1, deleted 1, unchanged 1, failed 0\n$/);
    const { '.hidden.txt': _hidden, 'notes.pdf': _pdf, 'draft.txt~': _backup, ...articles } = await snapshot(b.dir);
    expect(await snapshot(a.dir)).toEqual(articles);
    // An edit keeps the published date (first seen on the server) and moves the updated one.
    await waitFor(async () => (await titles()).join() === 'Quake @ 2025-02-05T00:00:00.000Z,Talks end @ 2025-02-03T04:05:06.789Z', {
      what: 'the update and the deletion in the feed',
    });
    const feed = (await (await fetch(`${url()}/feed.json`)).json()) as { items: { title: string; date_modified: string }[] };
    expect(feed.items.find((item) => item.title === 'Talks end')?.date_modified).toBe('2025-02-06T00:00:00.000Z');
  });

  it('reports a bad file with its reason, syncs the others, and exits non-zero', async () => {
    await b.write('good.txt', txtArticle('World', 'Good news'));
    await b.write('empty.txt', '');
    await b.write('untitled.md', '---\nsection: World\n---\n');
    await b.write('big.txt', txtArticle('World', 'Big', 'x'.repeat(5000)));
    const run = await publish([b.dir, '--to', url()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('failed empty.txt: 422 empty file\n');
    expect(run.stderr).toMatch(/failed untitled\.md: 422 .*title/);
    expect(run.stderr).toMatch(/failed big\.txt: 413 /);
    expect(run.stdout).toMatch(/uploaded 1, deleted 0, unchanged 0, failed 3\n$/);
    expect(Object.keys(await snapshot(a.dir))).toEqual(['good.txt']);
  });

  it('stops at once on a wrong token with a message about the token, printing neither token', async () => {
    await b.write('one.txt', txtArticle('World', 'One'));
    const wrong = 'wrong-token-that-is-long-enough';
    const run = await publish([b.dir, '--to', url()], { PUBLISH_TOKEN: wrong });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused the token \(401\): check that PUBLISH_TOKEN/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong);
    expect(Object.keys(await snapshot(a.dir))).toEqual([]);

    const viaFlag = await publish([b.dir, '--to', url(), '--token', wrong], {});
    expect(viaFlag.code).toBe(1);
    expect(`${viaFlag.stdout}${viaFlag.stderr}`).not.toContain(wrong);
    const none = await publish([b.dir, '--to', url()], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no token: set PUBLISH_TOKEN/);
    const badBatch = await publish([b.dir, '--to', url(), '--batch-files', '0'], { PUBLISH_TOKEN: TOKEN });
    expect(badBatch.code).toBe(2);
    expect(badBatch.stderr).toMatch(/--batch-files "0" is not valid: use a whole number from 1 to 5000/);
  });

  it('says the publish API is off when the server has no PUBLISH_TOKEN, and exits non-zero', async () => {
    await b.write('one.txt', txtArticle('World', 'One'));
    const off = await makeTempDir('wirefeed-off-');
    const plain = await startWirefeed({ ARTICLES_DIR: off.dir, PORT: '0', HOST: '127.0.0.1', STATE_DIR: 'off' }, { log: () => {} });
    try {
      const to = `http://127.0.0.1:${plain.port}`;
      for (const args of [[b.dir, '--to', to], [b.dir, '--to', to, '--watch']]) {
        const run = await publish(args);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(
          `wirefeed publish: the server's publish API is off (start it with PUBLISH_TOKEN): GET /api/articles on ${to} answered 404`,
        );
        expect(run.stderr).not.toContain('No article');
      }
      expect(await readdir(off.dir)).toEqual([]);
    } finally {
      await plain.close();
      await off.remove();
    }
  });

  it('--watch stops with the same message when the server comes back without PUBLISH_TOKEN', async () => {
    const child = startChild(process.execPath, [...CLI, 'publish', b.dir, '--to', url(), '--watch'], { env: { ...ENV, PUBLISH_TOKEN: TOKEN } });
    try {
      await waitFor(() => child.stdout().includes('watching'), { timeoutMs: 10_000, what: 'the initial sync' });
      const port = String(server.port);
      await server.close();
      server = await startWirefeed({ ARTICLES_DIR: a.dir, PORT: port, HOST: '127.0.0.1', STATE_DIR: 'off' }, { log: (line) => lines.push(line) });
      await b.write('late.txt', txtArticle('World', 'Late'));
      expect(await child.exited).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(child.stderr()).toContain(`wirefeed publish: the server's publish API is off (start it with PUBLISH_TOKEN): PUT /api/articles/late.txt on ${url()} answered 404`);
    expect(await readdir(a.dir)).not.toContain('late.txt');
  });

  it('--watch pushes adds, changes and deletes as they happen, and exits cleanly on SIGTERM', async () => {
    await b.write('first.txt', txtArticle('World', 'First'));
    await b.write('sub/inner.txt', txtArticle('Sub', 'Inner'));
    const child = startChild(process.execPath, [...CLI, 'publish', b.dir, '--to', url(), '--watch'], { env: { ...ENV, PUBLISH_TOKEN: TOKEN } });
    try {
      await waitFor(() => child.stdout().includes('watching'), { timeoutMs: 10_000, what: 'the initial sync' });
      expect(child.stdout()).toContain('synced: uploaded 2, deleted 0, unchanged 0, failed 0');
      const feedHas = (title: string) => waitFor(async () => (await titles()).some((t) => t.startsWith(`${title} @`)), { what: title });

      await b.write('second.txt', txtArticle('World', 'Second'));
      await feedHas('Second');
      await writeFile(join(b.dir, 'second.txt'), txtArticle('World', 'Second, revised'));
      await feedHas('Second, revised');
      await rm(join(b.dir, 'first.txt'));
      await waitFor(async () => (await titles()).every((t) => !t.startsWith('First @')), { what: 'the deletion' });
      await feedHas('Inner');
      await rm(join(b.dir, 'sub'), { recursive: true });
      await waitFor(async () => (await titles()).every((t) => !t.startsWith('Inner @')), { what: 'the folder deletion' });
      await waitFor(async () => (await readdir(a.dir)).filter((name) => name !== '.wirefeed').join() === 'second.txt', { what: 'A without sub/' });
      expect(child.stdout()).toContain('uploaded second.txt (created)\n');
      expect(child.stdout()).toContain('uploaded second.txt (updated)\n');
      expect(child.stdout()).toContain('deleted first.txt\n');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toMatch(/uploaded 4, deleted 2, unchanged 0, failed 0\n$/);
  });

  it('answers 429 to a peer address after 20 bad tokens in a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const response = await fetch(`${url()}/api/articles`, { headers: { Authorization: `Bearer guess-${i}` } });
      statuses.push(response.status);
      if (i === 20) expect(response.headers.get('Retry-After')).toMatch(/^\d+$/);
    }
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    expect(lines).toContain('[api] refused GET from 127.0.0.1: wrong token');
  });

  it('documents every command and option in --help, and prints --version', async () => {
    const run = async (args: string[]) => (await runChild(process.execPath, [...CLI, ...args], { env: ENV })).stdout;
    const [help, version] = await Promise.all([run(['--help']), run(['--version'])]);
    for (const word of ['serve', 'publish [DIR] --to URL', 'build', '--watch', '--token', '--concurrency', '--batch-files', '--dry-run', '--publish-token', '--articles-dir']) {
      expect(help).toContain(word);
    }
    expect(version).toMatch(/^wirefeed \d+\.\d+\.\d+\n$/);
  });

  it('refuses dot segments sent raw over HTTP: nothing lands outside the folder', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: server.port, method: 'PUT', path: '/api/articles/../../escape.txt', headers: { Authorization: `Bearer ${TOKEN}` } },
        (res) => (res.resume(), resolve(res.statusCode!)),
      );
      req.once('error', reject);
      req.end(txtArticle('World', 'Escape'));
    });
    expect(status).toBe(404);
    expect(await readdir(join(a.dir, '..'))).not.toContain('escape.txt');
    expect((await readdir(a.dir)).filter((name) => name !== '.wirefeed')).toEqual([]);
  });
});

describe('syncFolder', () => {
  it('finishes an interrupted sync on the next run, by hash', async () => {
    for (const name of ['one', 'two', 'three', 'four']) await b.write(`${name}.txt`, txtArticle('World', name));
    const controller = new AbortController();
    const options = { dir: b.dir, to: url(), token: TOKEN, concurrency: 1, batchFiles: 1 };
    const log = (line: string) => line.startsWith('uploaded') && controller.abort();
    await expect(syncFolder({ ...options, log, signal: controller.signal })).rejects.toThrow();
    const partial = Object.keys(await snapshot(a.dir)).length;
    expect(partial).toBeGreaterThanOrEqual(1);
    expect(partial).toBeLessThan(4);
    const rest = await syncFolder(options);
    expect(rest).toEqual({ uploaded: 4 - partial, deleted: 0, unchanged: partial, failed: 0 });
    expect(Object.keys(await snapshot(a.dir)).sort()).toEqual(['four.txt', 'one.txt', 'three.txt', 'two.txt']);
  });

  it('retries 5xx and 429 with backoff, and does not retry other 4xx', async () => {
    await b.write('one.txt', txtArticle('World', 'One'));
    await b.write('bad.txt', '');
    const seen: string[] = [];
    let failures = 0;
    // A flaky proxy in front of the real server: the first three PUTs get 503, 429, 502.
    const proxy: RunningServer = await startServer(async (incoming) => {
      seen.push(`${incoming.method} ${new URL(incoming.url).pathname}`);
      if (incoming.method === 'PUT' && failures < 3) {
        failures += 1;
        return new Response('busy', { status: [503, 429, 502][failures - 1], headers: failures === 2 ? { 'Retry-After': '0' } : {} });
      }
      const target = new URL(new URL(incoming.url).pathname, url());
      const body = incoming.method === 'PUT' ? await incoming.arrayBuffer() : undefined;
      return fetch(target, { method: incoming.method, headers: incoming.headers, body });
    }, { port: 0, host: '127.0.0.1' });
    try {
      const lines: string[] = [];
      const summary = await syncFolder({ dir: b.dir, to: `http://127.0.0.1:${proxy.port}`, token: TOKEN, concurrency: 1, retryBaseMs: 5, log: (l) => lines.push(l) });
      expect(summary).toEqual({ uploaded: 1, deleted: 0, unchanged: 0, failed: 1 });
      expect(lines).toContain('failed bad.txt: 422 empty file');
      // bad.txt first (sorted walk order is not promised, so count): one PUT each for the 422,
      // four for the file that met 503, 429 and 502 first.
      expect(seen.filter((line) => line === 'PUT /api/articles/bad.txt').length + seen.filter((line) => line === 'PUT /api/articles/one.txt').length).toBe(5);
      expect(Object.keys(await snapshot(a.dir))).toEqual(['one.txt']);
    } finally {
      await proxy.close();
    }
  });
});
