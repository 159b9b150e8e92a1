// The store's rules that depend on the article and the clock alone, in one place for every
// driver. The memory driver applies them in JavaScript; the D1 driver picks its statements by
// them and leaves to SQL, inside one batch (one transaction), only the decisions that depend on
// what is stored at that moment: who owns an id and who waits for it, whether a version is
// unchanged, page slugs and section names. tests/store/driver-contract.ts holds both to the
// same answers, and tests/workers/d1-store.test.ts compares them over random operations.
import type { ArticleInput } from './types.ts';

/** What a put does with an article, before anything stored is looked at. */
export type PutPlan =
  /** A draft: removes the published version, if any. */
  | { kind: 'draft' }
  /** Refused like a file that fails to parse: the last good version stays published. */
  | { kind: 'invalid'; reason: string }
  /** Dated after `now`: out of every answer until its time; a published version goes now. */
  | { kind: 'scheduled' }
  /** Published now, if its id is free or its own. */
  | { kind: 'publish' };

export function planPut(article: ArticleInput, now: number): PutPlan {
  if (article.draft) return { kind: 'draft' };
  const invalid = invalidDates(article);
  if (invalid !== undefined) return { kind: 'invalid', reason: invalid };
  return article.publishedAt.getTime() > now ? { kind: 'scheduled' } : { kind: 'publish' };
}

/** Why the article's dates cannot be stored, or undefined when both are real instants (sort keys must be). */
export function invalidDates(article: ArticleInput): string | undefined {
  for (const field of ['publishedAt', 'updatedAt'] as const) {
    const value: unknown = article[field];
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      return `${field} is not a valid date`;
    }
  }
  return undefined;
}

/** The text around the id and the owner in `idTaken`; D1's SQL builds the same reason from these. */
export const ID_TAKEN_TEXT = { before: 'id "', between: '" is already used by ' } as const;

/** The reason recorded for an article refused because `owner` publishes its id. */
export function idTaken(id: string, owner: string): string {
  return `${ID_TAKEN_TEXT.before}${id}${ID_TAKEN_TEXT.between}${owner}`;
}

/** A count from a caller: negative or NaN means 0, fractions round down, huge means "all". */
export function toCount(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(Math.max(0, Math.floor(value)), Number.MAX_SAFE_INTEGER);
}
