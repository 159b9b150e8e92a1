// `wirefeed publish` uploads media files to a Node server's publish API, which writes them into
// its articles folder (the Worker's R2 side is in tests/workers/r2-media.test.ts).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFolder } from '../../../src/node/publish/sync-folder.ts';
import { startWirefeed, type Wirefeed } from '../../../src/node/server/serve.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

const TOKEN = 'media-token-0123456789';
let a: TempDir;
let b: TempDir;
let server: Wirefeed;
const url = () => `http://127.0.0.1:${server.port}`;
const auth = { Authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  a = await makeTempDir('wirefeed-a-');
  b = await makeTempDir('wirefeed-b-');
  server = await startWirefeed(
    { ARTICLES_DIR: a.dir, PORT: '0', HOST: '127.0.0.1', PUBLISH_TOKEN: TOKEN, SETTLE_MS: '50', MEDIA_MAX_BYTES: '1KiB', STATE_DIR: 'off' },
    { log: () => {} },
  );
  await server.intake.watching;
});

afterAll(async () => {
  await server.close();
  await a.remove();
  await b.remove();
});

describe('publishing media files to Node', () => {
  it('uploads media files before the articles, so the feed has the enclosure, and deletes what is gone', async () => {
    await b.write('science/story.md', ['---', 'title: Story', 'section: Science', 'image: chip.png', '---', '', 'Body.', ''].join('\n'));
    await b.write('science/chip.png', new Uint8Array(300));
    await b.write('science/old.gif', new Uint8Array(3));
    await b.write('science/logo.svg', '<svg/>');
    const lines: string[] = [];
    const first = await syncFolder({ dir: b.dir, to: url(), token: TOKEN, log: (line) => lines.push(line) });
    expect(first).toEqual({ uploaded: 3, deleted: 0, unchanged: 0, failed: 0 });
    expect((await readFile(join(a.dir, 'science/chip.png'))).byteLength).toBe(300);
    await expect(readFile(join(a.dir, 'science/logo.svg'))).rejects.toThrow();
    await waitFor(async () => (await (await fetch(`${url()}/science/rss.xml`)).text()).includes('length="300" type="image/png"'), { what: 'the enclosure' });

    await rm(join(b.dir, 'science/old.gif'));
    const second = await syncFolder({ dir: b.dir, to: url(), token: TOKEN });
    expect(second).toEqual({ uploaded: 0, deleted: 1, unchanged: 2, failed: 0 });
    await expect(readFile(join(a.dir, 'science/old.gif'))).rejects.toThrow();
  });

  it('refuses a type off the allow-list, a file over MEDIA_MAX_BYTES and a missing token with short messages', async () => {
    const svg = await fetch(`${url()}/api/media/x/logo.svg`, { method: 'PUT', headers: auth, body: '<svg/>' });
    expect(svg.status).toBe(400);
    expect(((await svg.json()) as { error: string }).error).toMatch(/^not a media file/);
    const html = await fetch(`${url()}/api/media/x/page.html`, { method: 'PUT', headers: auth, body: '<p>' });
    expect(html.status).toBe(400);
    await html.body?.cancel();
    const big = await fetch(`${url()}/api/media/x/big.png`, { method: 'PUT', headers: auth, body: new Uint8Array(2000) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toContain('MEDIA_MAX_BYTES');
    const dot = await fetch(`${url()}/api/media/.wirefeed/x.png`, { method: 'PUT', headers: auth, body: new Uint8Array(2) });
    expect(dot.status).toBe(400);
    await dot.body?.cancel();
    const anonymous = await fetch(`${url()}/api/media/x/a.png`, { method: 'PUT', body: new Uint8Array(2) });
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
  });
});
