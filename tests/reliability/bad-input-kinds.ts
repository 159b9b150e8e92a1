// The kinds of bad input tests/reliability/bad-input.test.ts drops into a served articles folder,
// each with the outcome we agreed on: what /status and the feeds must show once it is in.
import { access, chmod, constants, mkdir, rename, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** What /status says about one rejected file. */
export interface Rejection {
  path: string;
  reason: string;
}

/** What a kind must lead to, on top of the good articles. */
export interface Expected {
  /** The agreed outcome, as the table in RELIABILITY.md shows it. */
  outcome: string;
  /** Exactly the rejections /status lists for this kind's files. */
  rejected: Rejection[];
  /** Titles that must be in the combined feed. */
  published: string[];
  /** Titles that must be in no feed. */
  absent: string[];
  /** How many of this kind's files /status counts as scheduled. */
  scheduled: number;
  /** Sections this kind must produce, as /status lists them. */
  sections?: Array<{ slug: string; name: string; articles: number }>;
}

/** The folder under test and a few tools for writing into it. */
export interface KindContext {
  dir: string;
  /** A folder outside `dir`, holding `outside.txt` (a good article) and `folder/inside.txt`. */
  outside: string;
  /** A file name from `base`: as is in the short run, with a random, odd-looking part under SOAK. */
  name(base: string): string;
  /** A title no other file uses. */
  title(base: string): string;
  /** Writes a file (relative path), remembering it for the clean-up. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Makes a symlink at `path` pointing to `target`, remembering it. */
  link(target: string, path: string): Promise<void>;
  /** Makes a folder, remembering it. */
  mkdir(path: string): Promise<void>;
  /** Deletes a path now. */
  remove(path: string): Promise<void>;
  /** Renames `from` to `to` (both relative), remembering `to`. */
  rename(from: string, to: string): Promise<void>;
  /** Waits until /status satisfies `check` (live kinds that go in steps). */
  waitForStatus(check: (status: StatusJson) => boolean, what: string): Promise<void>;
}

export interface StatusJson {
  articles: number;
  sections: Array<{ slug: string; name: string; articles: number }>;
  rejected: Rejection[];
  scheduled: number;
}

export interface BadKind {
  kind: string;
  /** Writes the input and says what must follow. */
  make(ctx: KindContext): Promise<Expected>;
  /** Only meaningful on a running service (it changes a file after the service has seen it). */
  liveOnly?: boolean;
  /** A second step on the running service once the outcome is met, and what must follow it. */
  then?(ctx: KindContext): Promise<Expected>;
}

/** The size cap the service runs with: small, so an oversized file is small too. */
export const MAX_FILE_BYTES = '4KiB';

const txt = (section: string, title: string, body = 'A body paragraph.') => `${section}\n\n${title}\n\n${body}\n`;
const md = (frontMatter: string, body = 'A body paragraph.') => `---\n${frontMatter}\n---\n\n${body}\n`;

const rejected = (path: string, reason: string, title?: string): Expected => ({
  outcome: `rejected: ${reason}`,
  rejected: [{ path, reason }],
  published: [],
  absent: title === undefined ? [] : [title],
  scheduled: 0,
});

const ignored = (title: string | undefined, why: string): Expected => ({
  outcome: `ignored (${why})`,
  rejected: [],
  published: [],
  absent: title === undefined ? [] : [title],
  scheduled: 0,
});

const published = (title: string, how = 'published'): Expected => ({ outcome: how, rejected: [], published: [title], absent: [], scheduled: 0 });

/** One kind of bad input that writes `content` (from its title) to `name`, with a fixed expectation. */
function simple(kind: string, base: string, content: (title: string) => string | Uint8Array, expect: (path: string, title: string) => Expected): BadKind {
  return {
    kind,
    async make(ctx) {
      const path = ctx.name(base);
      const title = ctx.title(kind);
      await ctx.write(path, content(title));
      return expect(path, title);
    },
  };
}

export const BAD_KINDS: BadKind[] = [
  simple('empty file', 'empty.txt', () => '', (path, title) => rejected(path, 'empty file', title)),
  simple('whitespace only', 'blank.txt', () => ' \n\t\r\n\u00A0\n  ', (path, title) => rejected(path, 'empty file', title)),
  simple('no headline (section line only)', 'section-only.txt', () => 'Politics\n', (path, title) => rejected(path, 'no headline', title)),
  simple(
    'binary (NUL in the first 8 KiB)',
    'binary.txt',
    (title) => `World\n\n${title}\n\nbody\u0000\u0001\u0002 more`,
    (path, title) => rejected(path, 'binary file (NUL byte in the first 8 KiB)', title),
  ),
  simple(
    `over the size cap (MAX_FILE_BYTES=${MAX_FILE_BYTES}, 5000-byte file)`,
    'huge.txt',
    (title) => txt('World', title, 'x'.repeat(5000)).slice(0, 5000),
    (path, title) => rejected(path, 'file is 5000 bytes (4.9 KiB), over the 4 KiB cap', title),
  ),
  simple(
    'front matter that does not parse',
    'bad-yaml.md',
    (title) => md(`title: ${title}\nsummary: "unterminated`),
    (path, title) => rejected(path, 'front matter does not parse: Missing closing "quote at line 2, column 23:', title),
  ),
  simple(
    'front matter without its closing ---',
    'unclosed.md',
    (title) => `---\ntitle: ${title}\n\nBody.\n`,
    (path, title) => rejected(path, 'front matter does not parse: no closing `---` line', title),
  ),
  simple(
    'front-matter date that does not parse',
    'bad-date.md',
    (title) => md(`title: ${title}\ndate: 03/04/2019`),
    (path, title) => rejected(path, 'date does not parse: "03/04/2019"', title),
  ),
  simple(
    'Markdown without a title',
    'untitled.md',
    () => md('section: World', 'Just a body, no heading.'),
    (path, title) => rejected(path, 'Markdown file has no title (add `title:` to the front matter)', title),
  ),
  simple('draft: true', 'draft.md', (title) => md(`title: ${title}\ndraft: true`), (_path, title) => ignored(title, 'draft: not published, not listed')),
  {
    kind: 'a future date (scheduled)',
    async make(ctx) {
      const title = ctx.title('scheduled');
      await ctx.write(ctx.name('future.md'), md(`title: ${title}\ndate: 2099-01-01T00:00:00Z`));
      return { outcome: 'scheduled: counted in /status `scheduled`, in no feed until its date', rejected: [], published: [], absent: [title], scheduled: 1 };
    },
  },
  simple('dotfile (.x.txt)', '.dotfile.txt', (title) => txt('World', title), (_path, title) => ignored(title, 'hidden file')),
  simple('editor backup (x.txt~)', 'backup.txt~', (title) => txt('World', title), (_path, title) => ignored(title, 'temp file')),
  simple('vim swap file (.x.swp)', '.swap.swp', (title) => txt('World', title), (_path, title) => ignored(title, 'temp file')),
  simple('temp file (x.tmp)', 'temp.tmp', (title) => txt('World', title), (_path, title) => ignored(title, 'temp file')),
  simple('partial download (x.part)', 'download.part', (title) => txt('World', title), (_path, title) => ignored(title, 'temp file')),
  simple('partial download (x.crdownload)', 'download.crdownload', (title) => txt('World', title), (_path, title) => ignored(title, 'temp file')),
  {
    kind: 'vim write test file (4913)',
    async make(ctx) {
      const title = ctx.title('4913');
      await ctx.write('4913', txt('World', title));
      return ignored(title, 'temp file');
    },
  },
  simple('unsupported extension (.docx)', 'report.docx', (title) => txt('World', title), (_path, title) => ignored(title, 'not .txt/.md/.markdown')),
  {
    kind: 'symlink to a file outside the folder',
    async make(ctx) {
      const path = ctx.name('outside-link.txt');
      await ctx.link(join(ctx.outside, 'outside.txt'), path);
      return rejected(path, 'symlink points outside the articles folder', 'Outside article');
    },
  },
  {
    kind: 'symlink to a folder outside the folder',
    async make(ctx) {
      await ctx.link(join(ctx.outside, 'folder'), ctx.name('outside-folder'));
      return ignored('Inside an outside folder', 'symlinked folders are not followed');
    },
  },
  {
    kind: 'symlink loop (x.txt -> x.txt)',
    async make(ctx) {
      const path = ctx.name('loop.txt');
      await ctx.link(join(ctx.dir, path), path);
      // The reason names the error code only: Node's message (with the absolute path) once reached /status.
      return rejected(path, 'cannot read the file (ELOOP)');
    },
  },
  {
    kind: 'a folder named like an article (foo.txt/)',
    async make(ctx) {
      await ctx.mkdir(ctx.name('folder.txt'));
      return ignored(undefined, 'folders are walked, not read');
    },
  },
  {
    kind: 'no read permission (chmod 000)',
    async make(ctx) {
      const path = ctx.name('locked.txt');
      const title = ctx.title('locked');
      // Made unreadable under a hidden name, then renamed in: the watcher never sees it readable.
      const hidden = `.${path}.writing`;
      await ctx.write(hidden, txt('World', title));
      await chmod(join(ctx.dir, hidden), 0o000);
      await ctx.rename(hidden, path);
      // Root reads it anyway (CAP_DAC_OVERRIDE); anyone else gets EACCES.
      const readable = await access(join(ctx.dir, path), constants.R_OK).then(
        () => true,
        () => false,
      );
      if (readable) return published(title, `published: mode 000 but readable (running as uid ${process.getuid?.()})`);
      return rejected(path, 'cannot read the file (EACCES)', title);
    },
  },
  {
    kind: 'sections that collide after folding (Politics / " POLITICS ")',
    async make(ctx) {
      const [a, b] = [ctx.title('politics a'), ctx.title('politics b')];
      await ctx.write(ctx.name('politics-a.txt'), txt('Politics', a));
      await ctx.write(ctx.name('politics-b.txt'), txt(' POLITICS ', b));
      return {
        outcome: 'merged-section: one section `politics` with both articles, named by the spelling that sorts first on a tie',
        rejected: [],
        published: [a, b],
        absent: [],
        scheduled: 0,
        sections: [{ slug: 'politics', name: 'POLITICS', articles: 2 }],
      };
    },
  },
  (() => {
    const id = `urn:uuid:${crypto.randomUUID()}`;
    let first = '';
    let second = '';
    let titles: string[] = [];
    return {
      kind: 'two files with the same front-matter id',
      liveOnly: true,
      async make(ctx: KindContext): Promise<Expected> {
        [first, second] = [ctx.name('same-id-a.md'), ctx.name('same-id-b.md')];
        titles = [ctx.title('same id a'), ctx.title('same id b')];
        await ctx.write(first, md(`title: ${titles[0]}\nid: ${id}`));
        await ctx.waitForStatus((status) => status.articles === 4, 'the first file with the id');
        await ctx.write(second, md(`title: ${titles[1]}\nid: ${id}`));
        return {
          outcome: 'the first published; the second rejected: id "<id>" is already used by <first path>, and published once the first goes',
          rejected: [{ path: second, reason: `id "${id}" is already used by ${first}` }],
          published: [titles[0]!],
          absent: [titles[1]!],
          scheduled: 0,
        };
      },
      async then(ctx: KindContext): Promise<Expected> {
        await ctx.remove(first);
        return { outcome: '', rejected: [], published: [titles[1]!], absent: [titles[0]!], scheduled: 0 };
      },
    } satisfies BadKind;
  })(),
  simple(
    'Windows-1252 file',
    'cp1252.txt',
    (title) => Uint8Array.from([...Buffer.from(`World\r\n\r\n${title} `, 'latin1'), 0x93, 0x43, 0x61, 0x66, 0xe9, 0x94, 0x20, 0x80, 0x35, 0x0d, 0x0a]),
    (_path, title) => published(`${title} “Café” €5`, 'published, decoded as Windows-1252 (“Café” €5)'),
  ),
  simple(
    'UTF-16 LE with BOM',
    'utf16.txt',
    (title) => Buffer.from(`\uFEFFWorld\r\n\r\n${title} — ünïcødé 🗞\r\n\r\nBody.\r\n`, 'utf16le'),
    (_path, title) => published(`${title} — ünïcødé 🗞`, 'published, decoded as UTF-16'),
  ),
  simple(
    'CRLF line ends',
    'crlf.txt',
    (title) => `World\r\n\r\n${title}\r\n\r\nFirst.\r\nSecond.\r\n`,
    (_path, title) => published(title, 'published, CRLF read as LF'),
  ),
  {
    kind: 'a file replaced by a folder',
    liveOnly: true,
    async make(ctx) {
      const path = ctx.name('replaced.txt');
      const title = ctx.title('replaced');
      await ctx.write(path, txt('World', title));
      await ctx.waitForStatus((status) => status.articles === 4, 'the file before it is replaced');
      await ctx.remove(path);
      await ctx.mkdir(path);
      return ignored(title, 'published, then removed when the file went; the folder is not read');
    },
  },
  {
    kind: 'a 0-byte file, then filled',
    liveOnly: true,
    async make(ctx) {
      const path = ctx.name('filled-later.txt');
      const title = ctx.title('filled later');
      await ctx.write(path, '');
      await ctx.waitForStatus((status) => status.rejected.some((r) => r.path === path && r.reason === 'empty file'), 'the empty file rejected');
      await ctx.write(path, txt('World', title));
      return published(title, 'rejected (empty file) while empty, then published once filled; the rejection clears');
    },
  },
];

/** Writes the outside folder the symlink kinds point at. */
export async function makeOutside(outside: string): Promise<void> {
  await mkdir(join(outside, 'folder'), { recursive: true });
  await writeFile(join(outside, 'outside.txt'), txt('World', 'Outside article'));
  await writeFile(join(outside, 'folder', 'inside.txt'), txt('World', 'Inside an outside folder'));
}

/** A KindContext's file tools over `dir`; `made` collects what to delete afterwards. */
export function fileTools(dir: string, made: Set<string>) {
  const full = (path: string) => join(dir, ...path.split('/'));
  return {
    async write(path: string, content: string | Uint8Array) {
      made.add(path.split('/')[0]!);
      await mkdir(dirname(full(path)), { recursive: true });
      await writeFile(full(path), content);
      // Dated in the past, so a .txt article (dated by its mtime) is never "scheduled".
      const past = new Date('2025-06-01T12:00:00Z');
      await utimes(full(path), past, past);
    },
    async link(target: string, path: string) {
      made.add(path.split('/')[0]!);
      await symlink(target, full(path));
    },
    async mkdir(path: string) {
      made.add(path.split('/')[0]!);
      await mkdir(full(path), { recursive: true });
    },
    async remove(path: string) {
      await rm(full(path), { recursive: true, force: true });
    },
    async rename(from: string, to: string) {
      made.add(to.split('/')[0]!);
      await rename(full(from), full(to));
    },
  };
}
