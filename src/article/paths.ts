// Which files in the articles folder are articles, and in which format.

const FORMATS = new Map<string, 'txt' | 'md'>([
  ['txt', 'txt'],
  ['md', 'md'],
  ['markdown', 'md'],
]);

// Editor swap/backup files and partial downloads: vim `.swp`/`.swx`/`4913`, emacs `#x#`/`.#x`,
// `x~` backups, browser `.part`/`.crdownload`.
const TEMP_SUFFIXES = ['~', '.swp', '.swx', '.tmp', '.part', '.crdownload'];

function isTempName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    TEMP_SUFFIXES.some((suffix) => lower.endsWith(suffix)) ||
    name === '4913' ||
    name.startsWith('.#') ||
    (name.length > 1 && name.startsWith('#') && name.endsWith('#'))
  );
}

/** The article format for a file name, from its extension (case-insensitive). */
export function articleFormat(name: string): 'txt' | 'md' | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? FORMATS.get(name.slice(dot + 1).toLowerCase()) : undefined;
}

/** True for `.txt`/`.md`/`.markdown` files outside hidden folders that are not editor temp files. */
export function isArticlePath(path: string): boolean {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  const name = segments.at(-1);
  if (name === undefined || segments.some((segment) => segment.startsWith('.'))) {
    return false;
  }
  return !isTempName(name) && articleFormat(name) !== undefined;
}
