// The put rules every driver applies alike (src/store/rules.ts).
import { describe, expect, it } from 'vitest';
import { idTaken, planPut, toCount } from '../../src/store/rules.ts';
import { day, makeArticle } from './fixtures.ts';

describe('planPut', () => {
  const now = day(10).getTime();

  it('removes drafts, refuses invalid dates, schedules the future and publishes the rest', () => {
    expect(planPut(makeArticle({ draft: true, publishedAt: new Date(Number.NaN) }), now)).toEqual({ kind: 'draft' });
    expect(planPut(makeArticle({ updatedAt: new Date(Number.NaN) }), now)).toEqual({ kind: 'invalid', reason: 'updatedAt is not a valid date' });
    expect(planPut(makeArticle({ publishedAt: new Date(now + 1) }), now)).toEqual({ kind: 'scheduled' });
    // Due at exactly now: published, as a scheduled article is at its time.
    expect(planPut(makeArticle({ publishedAt: new Date(now) }), now)).toEqual({ kind: 'publish' });
  });

  it('words an id conflict and counts from callers the same for every driver', () => {
    expect(idTaken('tag:x,2024:a', 'news/a.md')).toBe('id "tag:x,2024:a" is already used by news/a.md');
    expect([toCount(-3), toCount(Number.NaN), toCount(2.9), toCount(Infinity)]).toEqual([0, 0, 2, Number.MAX_SAFE_INTEGER]);
  });
});
