// A real temporary articles folder per test, removed afterwards.
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// Most tests that write a folder write articles: they find txtArticle here too.
export { txtArticle } from './txt-article.ts';

export interface TempDir {
  dir: string;
  /** Writes `content` to `path` (relative), creating folders, dated `mtime` if given; returns the file's full path. */
  write(path: string, content: string | Uint8Array, mtime?: Date): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'wirefeed-'): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    async write(path, content, mtime) {
      const file = join(dir, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      if (mtime) await utimes(file, mtime, mtime);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
