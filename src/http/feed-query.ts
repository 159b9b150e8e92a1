// What a feed request names: the document (format, section or term, page, limit), its canonical
// query string, and the part of the store it reads.
import type { FeedFormat } from '../feed/formats.ts';
import { termScope } from '../store/terms.ts';

/** One feed document as a client asks for it. `limit` is explicit when the URL carries it. */
export interface FeedQuery {
  format: FeedFormat;
  section?: string;
  /** A tag's feed (tag slug); at most one of `section`, `tag` and `author` is given. */
  tag?: string;
  /** An author's feed (author slug). */
  author?: string;
  page: number;
  limit: number;
  explicitLimit: boolean;
}

/** The canonical query string of a feed document: `?page=N` past page 1, `limit=L` when asked for. */
export function feedQueryString(page: number, limit: number, explicitLimit: boolean): string {
  const params = [page > 1 ? `page=${page}` : '', explicitLimit ? `limit=${limit}` : ''].filter(Boolean);
  return params.length > 0 ? `?${params.join('&')}` : '';
}

/** What the store calls the listing `query` reads (revision, changedAt): a section slug or a term's scope; undefined for all. */
export function scopeOf(query: FeedQuery): string | undefined {
  if (query.tag !== undefined) return termScope('tag', query.tag);
  if (query.author !== undefined) return termScope('author', query.author);
  return query.section;
}
