// Media files served from the articles folder, through the app and a real Node server.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';

// A 1x1 PNG.
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64'));
const AUDIO = randomBytes(300_000);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let temp: TempDir;
let outside: TempDir;
let wirefeed: Wirefeed;

beforeAll(async () => {
  temp = await makeTempDir();
  outside = await makeTempDir();
  await temp.write('science/story.txt', txtArticle('Science', 'A chip', 'Body.'));
  await temp.write('science/chip.png', PNG);
  await temp.write(`images/chip.${sha(PNG).slice(0, 10)}.png`, PNG);
  await temp.write('images/chip.0123456789.png', PNG);
  await temp.write('Audio Clips/talk é.mp3', AUDIO);
  await temp.write('images/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await temp.write('images/page.html', '<script>alert(1)</script>');
  await temp.write('images/big.jpg', new Uint8Array(64));
  await temp.write('.wirefeed/secret.png', PNG);
  await outside.write('private.png', PNG);
  await symlink(join(outside.dir, 'private.png'), join(temp.dir, 'images', 'escape.png'));
  await symlink(join(temp.dir, 'science', 'chip.png'), join(temp.dir, 'images', 'inside.png'));
  await mkdir(join(temp.dir, 'folder.png'));
  await writeFile(join(temp.dir, 'empty.gif'), new Uint8Array(0));
  wirefeed = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', MEDIA_MAX_BYTES: '60000000' }, { log: () => {} });
});

afterAll(async () => {
  await wirefeed.close();
  await temp.remove();
  await outside.remove();
});

const ways = {
  app: (path: string, init?: RequestInit) => Promise.resolve(wirefeed.app.request(path, init)),
  server: (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${wirefeed.port}${path}`, init),
};

for (const [way, get] of Object.entries(ways)) {
  describe(`media files through ${way}`, () => {
    it('serves an image at its path with its type, length, strong ETag and nosniff', async () => {
      const response = await get('/science/chip.png');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
      expect(response.headers.get('content-length')).toBe(String(PNG.byteLength));
      expect(response.headers.get('etag')).toBe(`"${sha(PNG)}"`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('accept-ranges')).toBe('bytes');
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    });

    it('streams a large file whole, at an encoded path', async () => {
      const response = await get(`/${encodeURIComponent('Audio Clips')}/${encodeURIComponent('talk é.mp3')}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('audio/mpeg');
      expect(Buffer.from(await response.arrayBuffer()).equals(AUDIO)).toBe(true);
    });

    it('answers 304 to If-None-Match and to If-Modified-Since', async () => {
      const first = await get('/science/chip.png');
      const etag = first.headers.get('etag')!;
      const byTag = await get('/science/chip.png', { headers: { 'If-None-Match': etag } });
      expect(byTag.status).toBe(304);
      expect(byTag.headers.get('etag')).toBe(etag);
      const byDate = await get('/science/chip.png', { headers: { 'If-Modified-Since': first.headers.get('last-modified')! } });
      expect(byDate.status).toBe(304);
      const stale = await get('/science/chip.png', { headers: { 'If-None-Match': '"other"' } });
      expect(stale.status).toBe(200);
    });

    it('answers a byte range with 206 and an unsatisfiable one with 416', async () => {
      const path = `/${encodeURIComponent('Audio Clips')}/${encodeURIComponent('talk é.mp3')}`;
      const partial = await get(path, { headers: { Range: 'bytes=1000-1999' } });
      expect(partial.status).toBe(206);
      expect(partial.headers.get('content-range')).toBe(`bytes 1000-1999/${AUDIO.byteLength}`);
      expect(partial.headers.get('content-length')).toBe('1000');
      expect(Buffer.from(await partial.arrayBuffer()).equals(AUDIO.subarray(1000, 2000))).toBe(true);
      const suffix = await get(path, { headers: { Range: 'bytes=-10' } });
      expect(suffix.status).toBe(206);
      expect(Buffer.from(await suffix.arrayBuffer()).equals(AUDIO.subarray(AUDIO.byteLength - 10))).toBe(true);
      const beyond = await get(path, { headers: { Range: `bytes=${AUDIO.byteLength}-` } });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${AUDIO.byteLength}`);
      await beyond.arrayBuffer();
    });

    it('sends the whole file when If-Range names another version, or the Range is malformed', async () => {
      const stale = await get('/science/chip.png', { headers: { Range: 'bytes=0-3', 'If-Range': '"old"' } });
      expect(stale.status).toBe(200);
      expect((await stale.arrayBuffer()).byteLength).toBe(PNG.byteLength);
      const current = await get('/science/chip.png', { headers: { Range: 'bytes=0-3', 'If-Range': `"${sha(PNG)}"` } });
      expect(current.status).toBe(206);
      expect((await current.arrayBuffer()).byteLength).toBe(4);
      const malformed = await get('/science/chip.png', { headers: { Range: 'bytes=x-y' } });
      expect(malformed.status).toBe(200);
      await malformed.arrayBuffer();
    });

    it('caches a name carrying its content hash for good, and no other', async () => {
      const named = await get(`/images/chip.${sha(PNG).slice(0, 10)}.png`);
      expect(named.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const wrong = await get('/images/chip.0123456789.png');
      expect(wrong.status).toBe(200);
      expect(wrong.headers.get('cache-control')).toBe('public, max-age=300');
      await Promise.all([named.arrayBuffer(), wrong.arrayBuffer()]);
    });

    it('answers HEAD with the headers and no body', async () => {
      const response = await get('/science/chip.png', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(PNG.byteLength));
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it('serves an empty file', async () => {
      const response = await get('/empty.gif');
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(0);
    });

    it.each([
      ['an SVG', '/images/logo.svg'],
      ['an HTML file', '/images/page.html'],
      ['a file in a dot-folder', '/.wirefeed/secret.png'],
      ['an encoded dot-folder', '/%2Ewirefeed/secret.png'],
      ['a traversal', '/images/%2E%2E/%2E%2E/etc/passwd.png'],
      ['an encoded slash', '/images%2Fchip.0123456789.png'],
      ['a symlink out of the folder', '/images/escape.png'],
      ['a folder with a media name', '/folder.png'],
      ['a missing file', '/images/none.png'],
    ])('refuses %s with a 404', async (_what, path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).not.toMatch(/svg|html/);
      await response.arrayBuffer();
    });

    it('follows a symlink that stays inside the folder', async () => {
      const response = await get('/images/inside.png');
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    });

    it('still serves article pages, and lists no media file as rejected', async () => {
      expect((await get('/science/story')).status).toBe(200);
      const status = (await (await get('/status')).json()) as { articles: number; rejected: unknown[] };
      expect(status).toMatchObject({ articles: 1, rejected: [] });
    });
  });
}

describe('MEDIA_MAX_BYTES', () => {
  it('does not serve a file over the cap', async () => {
    const small = await startWirefeed({ ARTICLES_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', MEDIA_MAX_BYTES: '32', STATE_DIR: 'off' }, { log: () => {} });
    try {
      const over = await small.app.request('/images/big.jpg');
      expect(over.status).toBe(404);
      expect(await over.text()).toContain('MEDIA_MAX_BYTES');
      expect((await small.app.request('/empty.gif')).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
