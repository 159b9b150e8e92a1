// `wirefeed build` copies the media files the server serves, at their own paths.
import { readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, type BuildSummary } from '../../../src/node/build/build-site.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';

let articles: TempDir;
let out: TempDir;
let outside: TempDir;
let summary: BuildSummary;
const PICTURE = new Uint8Array([1, 2, 3, 4, 5]);

beforeAll(async () => {
  articles = await makeTempDir();
  out = await makeTempDir();
  outside = await makeTempDir();
  await articles.write('science/story.md', ['---', 'title: Story', 'section: Science', 'image: chip.png', '---', '', 'Body.', ''].join('\n'));
  await articles.write('science/chip.png', PICTURE);
  await articles.write('Audio Clips/talk.mp3', new Uint8Array(40));
  await articles.write('images/big.webp', new Uint8Array(2000));
  await articles.write('images/logo.svg', '<svg/>');
  await articles.write('.wirefeed/x.png', PICTURE);
  await outside.write('private.png', PICTURE);
  await symlink(join(outside.dir, 'private.png'), join(articles.dir, 'escape.png'));
  summary = await buildSite({ dir: articles.dir, out: out.dir, env: { BASE_URL: 'https://news.example.com', MEDIA_MAX_BYTES: '1KiB', STATE_DIR: 'off' }, log: () => {} });
});

afterAll(async () => {
  await Promise.all([articles.remove(), out.remove(), outside.remove()]);
});

describe('buildSite with media files', () => {
  it('copies every servable media file to its path, byte for byte', async () => {
    expect(summary.files.media).toBe(2);
    expect(new Uint8Array(await readFile(join(out.dir, 'science/chip.png')))).toEqual(PICTURE);
    expect((await readFile(join(out.dir, 'Audio Clips/talk.mp3'))).byteLength).toBe(40);
  });

  it('skips what the server would not serve: over the cap, out of the folder, not on the allow-list', async () => {
    expect(summary.skipped.map((s) => s.url).sort()).toEqual(['/escape.png', '/images/big.webp']);
    await expect(readFile(join(out.dir, 'images/logo.svg'))).rejects.toThrow();
    await expect(readFile(join(out.dir, '.wirefeed/x.png'))).rejects.toThrow();
  });

  it('writes feeds whose enclosure is the copied file', async () => {
    const rss = await readFile(join(out.dir, 'science/rss.xml'), 'utf8');
    expect(rss).toContain('<enclosure url="https://news.example.com/science/chip.png" length="5" type="image/png"/>');
  });
});
