// Where each public URL lives in a static export, so that common static hosts (Cloudflare Pages,
// Netlify, GitHub Pages, nginx with `try_files $uri $uri.html $uri/index.html`) serve it at the
// URL the server uses, without a redirect. Pure: no IO.

/**
 * The folder holding page N (> 1) of a paged document. Section and article slugs are made of
 * `a-z`, `0-9` and `-` only, so a name with a dot can never collide with one.
 */
export function pageFolder(page: number): string {
  return `page.${page}`;
}

/**
 * The output file (relative, POSIX separators) for a URL path the app serves:
 * `/` → `index.html`, `/politics/` → `politics/index.html`, `/politics/talks` → `politics/talks.html`
 * (hosts serve `talks.html` at `/politics/talks`; `talks/index.html` would redirect to `talks/`),
 * `/politics/rss.xml` → `politics/rss.xml`. Page N > 1 (`?page=N`) of a feed or section page goes
 * to `politics/page.N/rss.xml` and `politics/page.N/index.html`.
 */
export function exportFile(path: string, page = 1): string {
  if (!path.startsWith('/')) throw new Error(`exportFile: "${path}" is not an absolute path`);
  const slash = path.lastIndexOf('/');
  const folder = path.slice(1, slash + 1);
  const name = path.slice(slash + 1);
  const segments = path.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..' || segment.includes('\\'))) {
    throw new Error(`exportFile: "${path}" cannot be a file name`);
  }
  const pageFolderPath = page > 1 ? `${folder}${pageFolder(page)}/` : folder;
  if (name === '') return `${pageFolderPath}index.html`;
  if (name.includes('.')) return `${pageFolderPath}${name}`;
  if (page > 1) throw new Error(`exportFile: "${path}" has no pages`);
  return `${folder}${name}.html`;
}

/**
 * The `_headers` rule (Cloudflare Pages and Netlify syntax) that covers `file`: root files by
 * name, deeper ones with one `:placeholder` per folder, so the number of rules stays fixed
 * however many sections there are (Cloudflare Pages allows 100).
 */
export function headerPattern(file: string): string {
  const segments = file.split('/');
  const name = segments.pop()!;
  const placeholders = [':section', ':page', ':more'];
  return ['', ...segments.map((_, i) => placeholders[i] ?? `:p${i}`), name].join('/');
}
