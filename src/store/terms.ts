// Tags and authors as listings see them ("terms"): each folded to a slug the way section names
// are (article/identity.ts), so `Climate`, ` climate ` and `CLIMATE` are one tag.
import { sectionSlug } from '../article/identity.ts';

/** What a term is: one of an article's tags, or one of its authors. */
export type TermKind = 'tag' | 'author';

export const TERM_KINDS: readonly TermKind[] = ['tag', 'author'];

/** One tag or author of an article: its folded slug and this article's spelling of it. */
export interface Term {
  kind: TermKind;
  slug: string;
  name: string;
}

/**
 * The article's tags, then its authors, each slug once (the first spelling given wins); names
 * that are blank once trimmed are left out.
 */
export function articleTerms(article: { readonly tags: readonly string[]; readonly authors: readonly { name: string }[] }): Term[] {
  const terms: Term[] = [];
  const seen = new Set<string>();
  const add = (kind: TermKind, raw: string) => {
    const name = raw.trim();
    if (name === '') return;
    const slug = slugOf(name);
    const key = termScope(kind, slug);
    if (seen.has(key)) return;
    seen.add(key);
    terms.push({ kind, slug, name });
  };
  for (const tag of article.tags) add('tag', tag);
  for (const author of article.authors) add('author', author.name);
  return terms;
}

/** Names seen before and their slugs: the same few tags and authors recur on many articles, and slugify is not cheap. */
const slugs = new Map<string, string>();
const MAX_SLUGS = 10_000;

function slugOf(name: string): string {
  let slug = slugs.get(name);
  if (slug === undefined) {
    slug = sectionSlug(name);
    if (slugs.size >= MAX_SLUGS) slugs.clear();
    slugs.set(name, slug);
  }
  return slug;
}

/**
 * The name `revision` and `changedAt` take for a term's listing: `tag:{slug}` or `author:{slug}`.
 * Section slugs never contain `:`, so the two never meet.
 */
export function termScope(kind: TermKind, slug: string): string {
  return `${kind}:${slug}`;
}
