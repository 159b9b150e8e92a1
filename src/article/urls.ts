// URL resolution against the site root, shared by front matter and the HTML sanitiser.

/** Resolves `value` against `baseUrl` (no trailing slash); undefined when it is no URL at all. */
export function resolveUrl(value: string, baseUrl: string): URL | undefined {
  try {
    return new URL(value, `${baseUrl.replace(/\/+$/, '')}/`);
  } catch {
    return undefined;
  }
}
