// Which files in the articles folder are articles.
import { articleFormat } from './formats.ts';

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

/** True for files with an extension from ARTICLE_FORMATS outside hidden folders that are not editor temp files. */
export function isArticlePath(path: string): boolean {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  const name = segments.at(-1);
  if (name === undefined || segments.some((segment) => segment.startsWith('.'))) {
    return false;
  }
  return !isTempName(name) && articleFormat(name) !== undefined;
}
