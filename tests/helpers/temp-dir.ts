// A real temporary articles folder per test, removed afterwards.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// Most tests that write a folder write articles: they find txtArticle here too.
export { txtArticle } from './txt-article.ts';

export interface TempDir {
  dir: string;
  /** Writes `content` to `path` (relative), creating folders. */
  write(path: string, content: string | Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'wirefeed-'): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    async write(path, content) {
      const file = join(dir, path);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
