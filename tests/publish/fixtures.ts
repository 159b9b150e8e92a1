// What the publish API tests give every app they build, on Node and in workerd (no node:* here):
// the token, the per-file cap, the mtime uploads carry and the article they upload.
import { txtArticle } from '../helpers/txt-article.ts';

/** The publish token every test app is started with. */
export const TOKEN = 'test-token-0123456789abcdef';
/** The per-file cap (the publish API's maxBytes and the parser's). */
export const MAX_BYTES = 4096;
/** The X-Wirefeed-Mtime (and NDJSON `mtime`) of an upload unless a case says otherwise. */
export const MTIME = '2025-03-01T12:34:56.789Z';
/** The article uploaded unless a case says otherwise. */
export const ARTICLE = txtArticle('Politics', 'Talks continue', 'First paragraph.');
