// URL resolution against the site root, shared by front matter and the HTML sanitiser.

/**
 * Resolves `value` against `baseUrl` (no trailing slash); undefined when it is no URL at all.
 * A root-relative `/x` is relative to the site root, BASE_URL's path included. Other relative
 * references resolve against `folderUrl` when given (the article's own folder: an image next to
 * the file is `![](chip.jpg)`, as editors preview it), else against the site root.
 */
export function resolveUrl(value: string, baseUrl: string, folderUrl?: string): URL | undefined {
  const root = `${baseUrl.replace(/\/+$/, '')}/`;
  try {
    if (value.startsWith('/') && !value.startsWith('//')) return new URL(value.slice(1), root);
    return new URL(value, folderUrl ?? root);
  } catch {
    return undefined;
  }
}

/** The URL of the folder holding the file at `segments` (inside the articles folder), with a trailing slash. */
export function folderUrlOf(baseUrl: string, segments: readonly string[]): string {
  const folders = segments.slice(0, -1).map((segment) => `${encodeURIComponent(segment)}/`);
  return `${baseUrl.replace(/\/+$/, '')}/${folders.join('')}`;
}
