// README's map of the code stays true: its Layout section names every folder of src/, and every
// source path README names anywhere exists.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text of README's `### Layout` section, up to the next heading. */
function layoutSection(text: string): string {
  const start = text.indexOf('\n### Layout\n');
  if (start === -1) return '';
  const end = text.slice(start + 1).search(/\n#{2,3} /);
  return end === -1 ? text.slice(start) : text.slice(start, start + 1 + end);
}

/** Folders under src/ that hold modules, relative to the repository root (`src/node/intake`). */
function sourceFolders(): string[] {
  return readdirSync(join(ROOT, 'src'), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isDirectory() && readdirSync(join(entry.parentPath, entry.name)).some((name) => name.endsWith('.ts')))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('README', () => {
  it('maps every folder of src/ in its Layout section', () => {
    const layout = layoutSection(README);
    expect(layout.length).toBeGreaterThan(500);
    const folders = sourceFolders();
    expect(folders).toContain('src/node/intake');
    // A top-level folder by its full path; a folder inside one by its name in its parent's row.
    const unnamed = folders.filter((folder) => {
      const segments = folder.split('/');
      return segments.length === 2 ? !layout.includes(`\`${folder}/\``) : !layout.includes(`${segments.at(-1)}/`);
    });
    expect(unnamed).toEqual([]);
  });

  it('names only source, test and script paths that exist', () => {
    const named = [...README.matchAll(/`((?:src|tests|bench|scripts|deploy|bin)\/[^`\s*]+)`/g)].map((match) => match[1]!);
    expect(named.length).toBeGreaterThan(20);
    expect([...new Set(named)].filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });
});
