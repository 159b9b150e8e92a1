// The Worker entry inside workerd with real local D1 and R2 bindings: media files published to
// R2 through the API, served with the same headers as on Node, and measured for enclosures.
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/workers/index.ts';
import { emptyDatabase } from './d1.ts';

const TOKEN = 'r2-token-0123456789abcdef';
const ORIGIN = 'https://feeds.example.com';
const PNG = new Uint8Array(Array.from({ length: 300 }, (_, i) => i % 251));

async function call(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const bindings = { DB: env.DB, MEDIA: env.MEDIA, PUBLISH_TOKEN: TOKEN, MEDIA_MAX_BYTES: '1KiB' };
  const response = await worker.fetch(new Request(`${ORIGIN}${path}`, init) as never, bindings as never, ctx);
  await waitOnExecutionContext(ctx);
  return response as unknown as Response;
}

const put = (path: string, body: Uint8Array | string) => call(path, { method: 'PUT', headers: { Authorization: `Bearer ${TOKEN}` }, body });

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('media on Workers (R2)', () => {
  beforeEach(async () => {
    await emptyDatabase();
  });

  it('stores an uploaded image in R2 and serves it with type, ETag, 304 and ranges', async () => {
    expect((await put('/api/media/science/chip.png', PNG)).status).toBe(201);
    expect((await put('/api/media/science/chip.png', PNG)).status).toBe(200);
    const object = await env.MEDIA.head('science/chip.png');
    expect(object?.size).toBe(300);
    const response = await call('/science/chip.png');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('etag')).toBe(`"${await sha256(PNG)}"`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(PNG);
    const notModified = await call('/science/chip.png', { headers: { 'If-None-Match': response.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
    const partial = await call('/science/chip.png', { headers: { Range: 'bytes=10-19' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe('bytes 10-19/300');
    expect(new Uint8Array(await partial.arrayBuffer())).toEqual(PNG.subarray(10, 20));
    const beyond = await call('/science/chip.png', { headers: { Range: 'bytes=400-' } });
    expect(beyond.status).toBe(416);
    await beyond.arrayBuffer();
  });

  it('refuses what is not on the allow-list or over the cap, and lists and deletes what it holds', async () => {
    const svg = await put('/api/media/logo.svg', '<svg/>');
    expect(svg.status).toBe(400);
    await svg.arrayBuffer();
    const big = await put('/api/media/big.png', new Uint8Array(2000));
    expect(big.status).toBe(413);
    await big.arrayBuffer();
    await (await put('/api/media/a/b.jpg', PNG)).arrayBuffer();
    const list = (await (await call('/api/media', { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { files: { path: string; sha256: string; size: number }[] };
    expect(list.files).toEqual([expect.objectContaining({ path: 'a/b.jpg', sha256: await sha256(PNG), size: 300 })]);
    expect((await call('/api/media/a/b.jpg', { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
    expect((await call('/a/b.jpg')).status).toBe(404);
  });

  it('gives an article whose image is in R2 an enclosure with the object\'s length and type', async () => {
    await (await put('/api/media/science/chip.png', PNG)).arrayBuffer();
    const article = '---\ntitle: Chip\nsection: Science\ndate: 2025-02-01T09:00:00Z\nimage: chip.png\n---\n\nBody.\n';
    expect((await put('/api/articles/science/chip.md', article)).status).toBe(201);
    const rss = await (await call('/science/rss.xml')).text();
    expect(rss).toContain(`<enclosure url="${ORIGIN}/science/chip.png" length="300" type="image/png"/>`);
    const json = (await (await call('/science/feed.json')).json()) as { items: { attachments: unknown }[] };
    expect(json.items[0]!.attachments).toEqual([{ url: `${ORIGIN}/science/chip.png`, mime_type: 'image/png', size_in_bytes: 300 }]);
  });
});
