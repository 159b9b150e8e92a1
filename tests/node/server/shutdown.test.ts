// Stopping `wirefeed serve` as a real process: SIGTERM lets responses in flight finish (a large
// feed to 20 slow readers), and stops cleanly during the first scan too; /healthz vs /readyz.
import { request, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, killHard, startChild, type Child } from '../../reliability/restart-process.ts';
import { makeTempDir, txtArticle, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

let temp: TempDir | undefined;
let child: Child | undefined;
afterEach(async () => {
  if (child) await killHard(child);
  child = undefined;
  await temp?.remove();
  temp = undefined;
});

interface Record {
  level: string;
  time: string;
  msg: string;
  module?: string;
  path?: string;
  status?: number;
  bytes?: number;
}

/** The child's stdout as JSON log records (the default format when stdout is not a terminal). */
function records(of: Child): Record[] {
  return of.lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record);
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** Starts a GET that reads the headers and the first chunk, then stops reading. */
function slowDownload(port: number, path: string): Promise<{ response: IncomingMessage; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { 'accept-encoding': 'identity' } }, (response) => {
      const chunks: Buffer[] = [];
      response.once('data', (chunk: Buffer) => {
        chunks.push(chunk);
        response.pause();
        resolve({ response, chunks });
      });
      response.once('error', reject);
    });
    req.once('error', reject);
    req.end();
  });
}

function finish({ response, chunks }: { response: IncomingMessage; chunks: Buffer[] }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => (response.complete ? resolve(Buffer.concat(chunks)) : reject(new Error('response cut short'))));
    response.once('aborted', () => reject(new Error('response aborted')));
    response.once('error', reject);
    response.resume();
  });
}

describe('wirefeed serve stopping', () => {
  it('lets 20 slow downloads of a large feed finish after SIGTERM, refuses new connections, and exits 0', { timeout: 120_000 }, async () => {
    temp = await makeTempDir();
    // 500 articles of ~16 KB: a feed of ~8 MB, more than the socket buffers of a reader that has
    // stopped reading hold (its receive window stays small), so every download is still in the
    // server's hands when the signal comes (the access lines below show it).
    const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
    for (let i = 0; i < 500; i++) {
      await temp.write(`world/a${String(i).padStart(3, '0')}.txt`, txtArticle('World', `Article ${i}`, ...Array.from({ length: 14 }, () => paragraph)));
    }
    const port = await freePort();
    child = startChild(['serve'], {
      ARTICLES_DIR: temp.dir,
      PORT: String(port),
      HOST: '127.0.0.1',
      STATE_DIR: 'off',
      FEED_LIMIT: '500',
      FEED_MAX_BYTES: '64MiB',
      SHUTDOWN_TIMEOUT: '100',
    });
    const running = child;
    await waitFor(() => records(running).some((record) => record.msg.startsWith('indexed 500 articles')), { timeoutMs: 60_000, what: 'the first scan' });
    // Rendered once before the readers come, so they all get the same cached document.
    const first = await slowDownload(port, '/world/feed.json');
    expect(first.response.statusCode).toBe(200);
    const expected = (await finish(first)).byteLength;
    expect(expected).toBeGreaterThan(6 * 1024 * 1024);

    const downloads = await Promise.all(Array.from({ length: 20 }, () => slowDownload(port, '/world/feed.json')));
    running.process.kill('SIGTERM');
    await waitFor(() => records(running).some((record) => record.msg.startsWith('stopping:')), { timeoutMs: 10_000, what: 'the stopping line' });
    // No new connections once stopping...
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    // ...while every download in flight completes, in full, as a document that parses.
    const bodies = await Promise.all(downloads.map(finish));
    for (const body of bodies) {
      expect(body.byteLength).toBe(expected);
      expect((JSON.parse(body.toString('utf8')) as { items: unknown[] }).items).toHaveLength(500);
    }
    expect(await running.exited).toEqual({ code: 0, signal: null });
    // The 20 access lines were written when each response ended: after the stopping line.
    const log = records(running);
    const stoppingAt = log.findIndex((record) => record.msg.startsWith('stopping:'));
    const after = log.slice(stoppingAt).filter((record) => record.module === 'http' && record.path === '/world/feed.json');
    expect(after).toHaveLength(20);
    expect(after.every((record) => record.status === 200 && record.bytes === expected)).toBe(true);
    expect(log.at(-1)?.msg).toBe('stopped');
    expect(running.lines.filter((line) => line.startsWith('!'))).toEqual([]);
  });

  it('answers /healthz 200 and /readyz 503 with the progress during the first scan, and exits 0 on SIGTERM then', { timeout: 60_000 }, async () => {
    temp = await makeTempDir();
    await temp.write('world/old.txt', txtArticle('World', 'Old'));
    // Written just now: with a minute's settle time the first scan waits for it (up to ten minutes).
    await temp.write('world/new.txt', txtArticle('World', 'New'));
    const port = await freePort();
    child = startChild(['serve'], { ARTICLES_DIR: temp.dir, PORT: String(port), HOST: '127.0.0.1', SETTLE_MS: '60000' });
    const running = child;
    const { value: ready } = await waitFor(() => get(port, '/readyz').catch(() => undefined), { timeoutMs: 30_000, what: 'the server to listen' });
    expect((await get(port, '/healthz')).status).toBe(200);
    await waitFor(async () => (await get(port, '/readyz')).body.startsWith('indexing 2/2'), { timeoutMs: 30_000, what: 'the scan to have gone through the files' });
    const during = await get(port, '/readyz');
    expect(ready?.status).toBe(503);
    expect(during).toEqual({ status: 503, body: 'indexing 2/2 files; waiting for files still being written' });
    expect((await get(port, '/healthz')).status).toBe(200);

    running.process.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    const log = records(running);
    expect(log.some((record) => record.msg.startsWith('indexed'))).toBe(false);
    expect(log.at(-1)?.msg).toBe('stopped');
  });
});
