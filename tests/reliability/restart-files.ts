// Folders for the restart tests: a local folder to publish (good articles only, fixed dates to
// the millisecond, sizes from a hundred bytes to about 4 KiB), and a byte-and-mtime snapshot
// of a whole folder, dotfiles included, to compare two of them.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { makeRandom } from './load-writer.ts';

const FOLDERS = ['', 'politics', 'Politics', 'POLITICS', 'sports', 'world/europe', 'Économie', 'deep/er/still'];
const SECTIONS = ['Politics', 'POLITICS', 'Sports', 'World News', 'Économie'];
const FIRST_MTIME = Date.UTC(2025, 0, 1, 6, 0, 0, 123);

/** Writes `count` good articles under `dir`, each with its own mtime to the millisecond. */
export async function writeArticles(dir: string, count: number, seed: number): Promise<void> {
  const random = makeRandom(seed);
  for (let i = 0; i < count; i++) {
    const folder = FOLDERS[Math.floor(random() * FOLDERS.length)]!;
    const markdown = random() < 0.3;
    const name = `${i % 5 === 0 ? 'Big story' : 'story'}-${i}.${markdown ? 'md' : 'txt'}`;
    const path = folder ? `${folder}/${name}` : name;
    const section = SECTIONS[Math.floor(random() * SECTIONS.length)]!;
    const paragraphs = Array.from({ length: 1 + Math.floor(random() * 12) }, (_, p) => `Paragraph ${p} of story ${i}. ${'Lorem ipsum dolor sit amet. '.repeat(1 + Math.floor(random() * 12))}`);
    const text = markdown
      ? `---\ntitle: "Story ${i}"\nsection: "${section}"\n---\n${paragraphs.join('\n\n')}\n`
      : [section, `Story ${i}`, ...paragraphs].join('\n\n');
    const file = join(dir, ...path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    const mtime = new Date(FIRST_MTIME + i * 3_600_007 + Math.floor(random() * 1000));
    await utimes(file, mtime, mtime);
  }
}

export interface FileFacts {
  sha256: string;
  size: number;
  /** Modification time in milliseconds, with the file system's fraction. */
  mtimeMs: number;
}

/** Every file under `dir`, dotfiles and temp files included, by relative path. */
export async function snapshotFolder(dir: string): Promise<Record<string, FileFacts>> {
  const result: Record<string, FileFacts> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    // The server's own state folder (STATE_DIR, `.wirefeed` by default) is not an article.
    if (file.slice(dir.length + 1).split(sep).includes('.wirefeed')) continue;
    const bytes = await readFile(file);
    result[file.slice(dir.length + 1)] = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      mtimeMs: (await stat(file)).mtimeMs,
    };
  }
  return result;
}

/**
 * How `copy` differs from `original`, one line per file: missing or extra files, other bytes, or an
 * mtime not within the same millisecond (the publish API carries whole milliseconds).
 */
export function compareSnapshots(original: Record<string, FileFacts>, copy: Record<string, FileFacts>): string[] {
  const lines: string[] = [];
  for (const path of new Set([...Object.keys(original), ...Object.keys(copy)])) {
    const [want, got] = [original[path], copy[path]];
    if (!want || !got) lines.push(`${path}: ${want ? 'missing from the copy' : 'only in the copy'}`);
    else if (want.sha256 !== got.sha256 || want.size !== got.size) lines.push(`${path}: other bytes`);
    else if (Math.abs(want.mtimeMs - got.mtimeMs) >= 1) lines.push(`${path}: mtime ${want.mtimeMs} vs ${got.mtimeMs}`);
  }
  return lines.sort();
}
