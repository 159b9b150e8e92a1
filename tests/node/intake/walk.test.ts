// The one folder walk, and the two lists made with it: article paths and media paths.
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listMediaFiles } from '../../../src/node/media-files.ts';
import { byPath, walkArticles, walkFolder } from '../../../src/node/intake/walk.ts';
import { makeTempDir, type TempDir } from '../../helpers/temp-dir.ts';

let temp: TempDir;

beforeEach(async () => {
  temp = await makeTempDir();
  for (const path of ['b.txt', 'a.md', 'notes.pdf', 'z/photo.jpg', 'z/y/deep.markdown', 'z/y/clip.mp4', 'World/c.txt', 'World/cover.png']) {
    await temp.write(path, 'x');
  }
  // Dot-names are skipped wherever they are, files and folders alike.
  for (const path of ['.hidden.txt', '.wirefeed/state.txt', 'z/.cache/photo.jpg', 'World/.draft.md']) await temp.write(path, 'x');
});

afterEach(() => temp.remove());

describe('walkFolder', () => {
  it('keeps the files `keep` accepts and lists every folder, skipping dot-names', async () => {
    const seen: string[] = [];
    const result = await walkFolder(temp.dir, (path) => (seen.push(path), path.endsWith('.pdf') || path.endsWith('.mp4')));
    expect(result.files.sort(byPath)).toEqual(['notes.pdf', 'z/y/clip.mp4']);
    expect(result.folders.sort(byPath)).toEqual(['World', 'z', 'z/y']);
    expect(seen.some((path) => path.split('/').some((segment) => segment.startsWith('.')))).toBe(false);
  });

  it('starts below a prefix, with paths still relative to the folder', async () => {
    const result = await walkFolder(temp.dir, () => true, 'z');
    expect(result.files.sort(byPath)).toEqual(['z/photo.jpg', 'z/y/clip.mp4', 'z/y/deep.markdown']);
    expect(result.folders).toEqual(['z/y']);
  });

  it('keeps symlinks as files, and does not follow them into folders', async () => {
    await symlink(join(temp.dir, 'z'), join(temp.dir, 'linked'));
    await symlink(join(temp.dir, 'b.txt'), join(temp.dir, 'link.txt'));
    const result = await walkFolder(temp.dir, () => true);
    expect(result.files).toContain('link.txt');
    expect(result.files).toContain('linked');
    expect(result.files.filter((path) => path.startsWith('linked/'))).toEqual([]);
  });

  it('throws when the starting folder cannot be read', async () => {
    await expect(walkFolder(join(temp.dir, 'missing'), () => true)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(walkFolder(temp.dir, () => true, 'missing')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('walkArticles', () => {
  it('finds article files only', async () => {
    const { files } = await walkArticles(temp.dir);
    expect(files.sort(byPath)).toEqual(['World/c.txt', 'a.md', 'b.txt', 'z/y/deep.markdown']);
  });
});

describe('listMediaFiles', () => {
  it('finds the allowed media files only, in code-unit order', async () => {
    expect(await listMediaFiles(temp.dir)).toEqual(['World/cover.png', 'z/photo.jpg', 'z/y/clip.mp4']);
  });
});
