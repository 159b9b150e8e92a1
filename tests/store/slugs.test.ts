import { describe, expect, it } from 'vitest';
import { fnv1a32, slugSuffix, suffixedSlug } from '../../src/store/slugs.ts';

describe('fnv1a32', () => {
  it('matches the published FNV-1a 32-bit test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // 'é' is the bytes c3 a9; the expected values come from a reference implementation.
    expect(fnv1a32('é')).toBe(0x1e9de8c1);
    expect(fnv1a32('news/café.md')).toBe(0x255f1c0a);
  });
});

describe('suffixedSlug', () => {
  it('appends six hex chars of the path hash, xor-folded to 24 bits', () => {
    const hash = fnv1a32('news/report.md');
    const folded = ((hash >>> 24) ^ (hash & 0xffffff)).toString(16).padStart(6, '0');
    expect(slugSuffix('news/report.md')).toBe(folded);
    expect(suffixedSlug('report', 'news/report.md')).toBe(`report-${folded}`);
    expect(slugSuffix('a')).toMatch(/^[0-9a-f]{6}$/);
  });

  it('is stable: the same path always gets the same suffix', () => {
    expect(slugSuffix('news/2024/report.md')).toBe(slugSuffix('news/2024/report.md'));
    expect(slugSuffix('news/2024/report.md')).not.toBe(slugSuffix('news/2023/report.md'));
  });
});
