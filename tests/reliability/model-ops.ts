// Random operations on a real articles folder, for the model-based and restart tests: what an
// editor, a sync tool or a person does to the folder, good files and bad ones. Each operation is
// plain data (so fast-check can shrink it) that prints as one readable line; `applyOp` carries
// it out, choosing its file among those present at that moment (`pick` modulo their number).
import fc from 'fast-check';
import { appendFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { articleFiles, delay } from './model-compare.ts';

/** What goes into a file. The first three make articles (mostly); the rest must be rejected. */
export type Content =
  | { kind: 'good'; section: number; title: number; paragraphs: number }
  | { kind: 'headline-only'; section: number; title: number }
  | { kind: 'md'; section: number | null; title: number; date: number | null; draft: boolean; heading: boolean }
  | { kind: 'empty' }
  | { kind: 'blank' }
  | { kind: 'binary'; title: number }
  | { kind: 'bad-yaml'; title: number }
  | { kind: 'unclosed-front-matter'; title: number }
  | { kind: 'untitled-md' }
  | { kind: 'section-only'; section: number };

export interface Target {
  folder: string;
  name: string;
  ext: string;
}

export type Op =
  | { kind: 'create'; to: Target; content: Content }
  | { kind: 'edit'; pick: number; content: Content }
  | { kind: 'replace'; pick: number; content: Content }
  | { kind: 'rename'; pick: number; to: Target }
  | { kind: 'delete'; pick: number }
  | { kind: 'slow'; to: Target; title: number; section: number; pauses: number[] }
  | { kind: 'burst'; folder: string; count: number; first: number; bad: number }
  | { kind: 'rename-folder'; pick: number; to: string }
  | { kind: 'delete-folder'; pick: number }
  | { kind: 'wait'; ms: number };

export type OpKind = Op['kind'];
export const OP_KINDS: readonly OpKind[] = ['create', 'edit', 'replace', 'rename', 'delete', 'slow', 'burst', 'rename-folder', 'delete-folder', 'wait'];

/** Section spellings that fold together: `Politics`, `POLITICS`, ` politics `; `Économie`, `economie`. */
export const SECTIONS = ['Politics', 'POLITICS', ' politics ', 'Sports', 'World News', 'world news', 'Économie', 'economie'];
const FOLDERS = ['', '', '', 'politics', 'Politics', 'POLITICS', 'sports', 'world/europe', 'Économie', 'deep/er/still'];
const NAMES = ['a', 'b', 'c', 'talks', 'vote', 'Big News', 'ünï', 'match-report'];
const EXTS = ['txt', 'txt', 'txt', 'md', 'markdown'];
const BAD_KINDS: ReadonlySet<Content['kind']> = new Set(['empty', 'blank', 'binary', 'bad-yaml', 'unclosed-front-matter', 'untitled-md', 'section-only']);
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2025, 0, 1, 9, 30);

/**
 * Slow writes put `Slow <n>` on the headline line, lengthen it piece by piece and end it with
 * ` done` in the last piece: a published `Slow …` title without ` done` was read half-written.
 */
export function isHalfWrittenTitle(title: string): boolean {
  return title.startsWith('Slow ') && !title.endsWith(' done');
}

const folderArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FOLDERS) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => `fresh-${n}/nested`) },
);
const targetArb = (exts: string[]): fc.Arbitrary<Target> =>
  fc.record({ folder: folderArb, name: fc.constantFrom(...NAMES), ext: fc.constantFrom(...exts) });
const titleArb = fc.integer({ min: 0, max: 999 });
const sectionArb = fc.nat({ max: SECTIONS.length - 1 });
const pickArb = fc.nat({ max: 1000 });

/** Good content about three times in four; otherwise a file the server must reject. */
export const contentArb: fc.Arbitrary<Content> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('good' as const), section: sectionArb, title: titleArb, paragraphs: fc.nat({ max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('headline-only' as const), section: sectionArb, title: titleArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('md' as const),
      section: fc.option(sectionArb),
      title: titleArb,
      // Fixed past dates: never scheduled, so what is served does not depend on the clock.
      date: fc.option(fc.nat({ max: 400 })),
      draft: fc.nat({ max: 7 }).map((n) => n === 0),
      heading: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'empty' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'blank' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('binary' as const), title: titleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bad-yaml' as const), title: titleArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unclosed-front-matter' as const), title: titleArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'untitled-md' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('section-only' as const), section: sectionArb }) },
);

export interface OpSizes {
  /** The server's settle window: slow writes pause for at most a third of it. */
  settleMs: number;
  /** Files in one burst, at most. */
  maxBurst: number;
}

/** Operations, each printing as its one-line description when fast-check reports a sequence. */
export function opArb({ settleMs, maxBurst }: OpSizes): fc.Arbitrary<Op> {
  const maxPause = Math.floor(settleMs / 3);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('create' as const), to: targetArb(EXTS), content: contentArb }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: pickArb, content: contentArb }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: pickArb, content: contentArb }) },
    // Now and then to a name that is no article (a backup), which takes the article away.
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('rename' as const), pick: pickArb, to: targetArb([...EXTS, 'txt~']) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: pickArb }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('slow' as const),
        to: targetArb(['txt']),
        title: titleArb,
        section: sectionArb,
        pauses: fc.array(fc.integer({ min: 10, max: maxPause }), { minLength: 1, maxLength: 6 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('burst' as const),
        folder: folderArb,
        count: fc.integer({ min: 2, max: maxBurst }),
        first: fc.nat({ max: 9999 }),
        bad: fc.nat({ max: 2 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rename-folder' as const),
        pick: pickArb,
        to: fc.tuple(fc.nat({ max: 9999 }), fc.boolean()).map(([n, nested]) => (nested ? `moved-${n}/inside` : `moved-${n}`)),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete-folder' as const), pick: pickArb }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: settleMs + 100 }) }) },
  );
  return op.map(printable);
}

/** Files present before the server starts: a few good creates. */
export const seedArb: fc.Arbitrary<Op[]> = fc.array(
  fc.record({ kind: fc.constant('create' as const), to: targetArb(EXTS), content: contentArb }).map(printable),
  { maxLength: 8 },
);

/** What a run of operations did, for the figures. */
export interface OpStats {
  byKind: Record<OpKind, number>;
  /** Operations that found nothing to act on (no file to edit, say). */
  skipped: number;
  filesWritten: number;
  badFilesWritten: number;
}

export function emptyStats(): OpStats {
  return { byKind: Object.fromEntries(OP_KINDS.map((kind) => [kind, 0])) as Record<OpKind, number>, skipped: 0, filesWritten: 0, badFilesWritten: 0 };
}

/** One line for an operation as generated (`file#3` is the 4th file present, by path, modulo). */
export function describeOp(op: Op): string {
  switch (op.kind) {
    case 'create':
      return `create ${pathOf(op.to)} (${describeContent(op.content)})`;
    case 'edit':
    case 'replace':
      return `${op.kind} file#${op.pick} (${describeContent(op.content)})`;
    case 'rename':
      return `rename file#${op.pick} -> ${pathOf(op.to)}`;
    case 'delete':
      return `delete file#${op.pick}`;
    case 'slow':
      return `slow-write ${pathOf(op.to)} "Slow ${op.title}" in ${op.pauses.length + 1} parts, pauses ${op.pauses.join('/')} ms`;
    case 'burst':
      return `burst of ${op.count} files into ${op.folder || '(top)'}/ (${Math.min(op.bad, op.count)} bad)`;
    case 'rename-folder':
      return `rename folder#${op.pick} -> ${op.to}`;
    case 'delete-folder':
      return `delete folder#${op.pick}`;
    case 'wait':
      return `wait ${op.ms} ms`;
  }
}

/**
 * Carries out `op` on `dir` and returns what it did, naming real paths. Renames and deletes
 * choose among the article files (or folders) present now; with none, the operation is skipped.
 */
export async function applyOp(dir: string, op: Op, stats: OpStats): Promise<string> {
  stats.byKind[op.kind] += 1;
  const written = (content: Content, count = 1) => {
    stats.filesWritten += count;
    if (BAD_KINDS.has(content.kind)) stats.badFilesWritten += count;
  };
  switch (op.kind) {
    case 'create': {
      const path = pathOf(op.to);
      await writeArticle(dir, path, render(op.content, path));
      written(op.content);
      return `create ${path} (${describeContent(op.content)})`;
    }
    case 'edit':
    case 'replace': {
      const path = await pickFile(dir, op.pick);
      if (path === undefined) return skip(stats, op);
      const bytes = render(op.content, path);
      if (op.kind === 'edit') await writeFile(join(dir, path), bytes);
      else await replaceAtomically(dir, path, bytes);
      written(op.content);
      return `${op.kind} ${path} (${describeContent(op.content)})`;
    }
    case 'rename': {
      const from = await pickFile(dir, op.pick);
      const to = pathOf(op.to);
      if (from === undefined || from === to) return skip(stats, op);
      await mkdir(dirname(join(dir, to)), { recursive: true });
      await rename(join(dir, from), join(dir, to));
      return `rename ${from} -> ${to}`;
    }
    case 'delete': {
      const path = await pickFile(dir, op.pick);
      if (path === undefined) return skip(stats, op);
      await rm(join(dir, path));
      return `delete ${path}`;
    }
    case 'slow': {
      const path = pathOf(op.to);
      const section = op.to.folder === '' ? `${SECTIONS[op.section]}\n\n` : '';
      await writeArticle(dir, path, `${section}Slow ${op.title}`);
      for (const [i, pause] of op.pauses.entries()) {
        await delay(pause);
        await appendFile(join(dir, path), i === op.pauses.length - 1 ? ' done\n\nWritten slowly.\n\nThe end.' : ` part${i}`);
      }
      stats.filesWritten += 1;
      return `slow-write ${path} in ${op.pauses.length + 1} parts, pauses ${op.pauses.join('/')} ms`;
    }
    case 'burst': {
      const bad = Math.min(op.bad, op.count);
      await Promise.all(
        Array.from({ length: op.count }, (_, i) => {
          const path = `${op.folder ? `${op.folder}/` : ''}burst-${op.first + i}.txt`;
          const content: Content = i < bad ? { kind: 'empty' } : { kind: 'good', section: (op.first + i) % SECTIONS.length, title: op.first + i, paragraphs: 1 };
          written(content);
          return writeArticle(dir, path, render(content, path));
        }),
      );
      return `burst of ${op.count} files into ${op.folder || '(top)'}/ (${bad} empty)`;
    }
    case 'rename-folder': {
      const folder = await pickFolder(dir, op.pick);
      if (folder === undefined || (await exists(join(dir, op.to))) || `${op.to}/`.startsWith(`${folder}/`)) return skip(stats, op);
      await mkdir(dirname(join(dir, op.to)), { recursive: true });
      await rename(join(dir, folder), join(dir, op.to));
      return `rename folder ${folder} -> ${op.to}`;
    }
    case 'delete-folder': {
      const folder = await pickFolder(dir, op.pick);
      if (folder === undefined) return skip(stats, op);
      await rm(join(dir, folder), { recursive: true });
      return `delete folder ${folder}`;
    }
    case 'wait':
      await delay(op.ms);
      return `wait ${op.ms} ms`;
  }
}

/** The bytes of `content` as the file at `path` (its extension picks the format). */
export function render(content: Content, path: string): string | Uint8Array {
  const markdown = !path.endsWith('.txt');
  switch (content.kind) {
    case 'good': {
      const body = Array.from({ length: content.paragraphs }, (_, i) => `Paragraph ${i + 1} of story ${content.title}.`);
      if (markdown) return `---\ntitle: Story ${content.title}\nsection: "${SECTIONS[content.section]}"\n---\n${body.join('\n\n')}\n`;
      return [SECTIONS[content.section], `Story ${content.title}`, ...body].join('\n\n');
    }
    case 'headline-only':
      return markdown ? `# Story ${content.title}\n` : `${SECTIONS[content.section]}\n\nStory ${content.title}\n`;
    case 'md': {
      const front = [
        content.heading ? undefined : `title: "Story ${content.title}"`,
        content.section === null ? undefined : `section: "${SECTIONS[content.section]}"`,
        content.date === null ? undefined : `date: ${new Date(FIRST_DAY + content.date * DAY_MS).toISOString()}`,
        content.draft ? 'draft: true' : undefined,
      ].filter((line) => line !== undefined);
      return `---\n${front.join('\n')}\n---\n${content.heading ? `# Story ${content.title}\n\n` : ''}Some *markdown* body.\n`;
    }
    case 'empty':
      return '';
    case 'blank':
      return ' \n\t\n  \n';
    case 'binary':
      return new Uint8Array([...new TextEncoder().encode(`Story ${content.title}`), 0, 1, 2, 0xff, 0]);
    case 'bad-yaml':
      return `---\ntitle: [Story ${content.title}\nsection: : :\n---\nBody.\n`;
    case 'unclosed-front-matter':
      return `---\ntitle: Story ${content.title}\nBody without a closing line.\n`;
    case 'untitled-md':
      return markdown ? '---\nsection: Sports\n---\nNo title anywhere.\n' : '';
    case 'section-only':
      return `${SECTIONS[content.section]}\n`;
  }
}

export function pathOf(target: Target): string {
  return `${target.folder ? `${target.folder}/` : ''}${target.name}.${target.ext}`;
}

function describeContent(content: Content): string {
  switch (content.kind) {
    case 'good':
    case 'headline-only':
      return `${content.kind} "Story ${content.title}" in "${SECTIONS[content.section]}"`;
    case 'md':
      return `md "Story ${content.title}"${content.section === null ? '' : ` in "${SECTIONS[content.section]}"`}${content.draft ? ', draft' : ''}${content.heading ? ', # heading' : ''}${content.date === null ? '' : `, day ${content.date}`}`;
    case 'binary':
    case 'bad-yaml':
    case 'unclosed-front-matter':
      return `${content.kind}, bad`;
    case 'section-only':
      return `section line only "${SECTIONS[content.section]}"`;
    default:
      return `${content.kind}, bad`;
  }
}

function printable<T extends Op>(op: T): T {
  return Object.defineProperty(op, fc.toStringMethod, { value: () => describeOp(op), enumerable: false });
}

function skip(stats: OpStats, op: Op): string {
  stats.skipped += 1;
  return `(skipped: nothing to act on) ${describeOp(op)}`;
}

async function writeArticle(dir: string, path: string, bytes: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), bytes);
}

/** An editor's save: a dotfile beside the target, renamed over it. */
async function replaceAtomically(dir: string, path: string, bytes: string | Uint8Array): Promise<void> {
  const file = join(dir, path);
  const temp = join(dirname(file), `.${file.slice(dirname(file).length + 1)}.swap`);
  await writeFile(temp, bytes);
  await rename(temp, file);
}

async function pickFile(dir: string, pick: number): Promise<string | undefined> {
  const files = await articleFiles(dir);
  return files.length === 0 ? undefined : files[pick % files.length];
}

async function pickFolder(dir: string, pick: number): Promise<string | undefined> {
  const folders = await listFolders(dir);
  return folders.length === 0 ? undefined : folders[pick % folders.length];
}

/** Every folder under `dir` (not dot-folders), relative, sorted. */
export async function listFolders(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    found.push(path, ...(await listFolders(dir, path)));
  }
  return found.sort();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
