// Builders for the persisted-state tests, shared with the child process they SIGKILL.
import type { Article } from '../../../../src/article/types.ts';
import { toStoredArticle, type FileRecord } from '../../../../src/node/intake/state/intake-state.ts';

/** An article with every optional field and awkward text: Unicode, emoji, control characters, a lone surrogate. */
export function makeArticle(overrides: Partial<Article> = {}): Article {
  return {
    path: 'politics/talks.md',
    id: 'tag:example.com,2024:politics/talks',
    slug: 'talks',
    section: 'Politics and conflicts',
    sectionSlug: 'politics-and-conflicts',
    title: 'Talks in Genève 🕊️ — "quotes" & <tags>',
    summary: 'Line\nbreak, tab\t, NUL \u0000, \u001f, U+2028 \u2028, lone \ud800 surrogate',
    html: '<p>Grüße 👋🏽 from 東京</p>\r\n<p>\\ backslash</p>',
    authors: [{ name: 'Ана Ковач', email: 'ana@example.com', url: 'https://example.com/ana' }, { name: 'Bob' }],
    tags: ['peace', 'Ελλάδα', ''],
    image: 'https://example.com/images/talks.jpg',
    attribution: {
      source: 'Wiki "news" & <co> 🕊️',
      sourceUrl: 'https://en.wikinews.org/wiki/Gen%C3%A8ve',
      sourceFeed: 'https://en.wikinews.org/feed.xml',
      license: 'CC BY 2.5',
      licenseUrl: 'https://creativecommons.org/licenses/by/2.5/',
      canonical: 'https://origin.example/talks',
    },
    publishedAt: new Date('2024-03-01T10:00:00.123Z'),
    updatedAt: new Date('2024-03-02T11:30:00Z'),
    draft: false,
    format: 'md',
    ...overrides,
  };
}

/** About `htmlBytes` of HTML that differs per `n`. */
export function bodyFor(n: number, htmlBytes: number): string {
  const unit = `<p>Paragraph ${n}: naïve café ☕ ${n.toString(36)}</p>\n`;
  return unit.repeat(Math.max(1, Math.ceil(htmlBytes / unit.length)));
}

/** Record for write number `n` of a sequence: it goes to one of `paths` files, so later writes overwrite earlier ones. */
export function makeRecord(n: number, { paths = Number.POSITIVE_INFINITY, htmlBytes = 200 } = {}): FileRecord {
  const slot = n % paths;
  const path = `section-${slot % 7}/file-${slot}.md`;
  if (n % 5 === 4) return { path, size: n, mtimeMs: 1_700_000_000_000 + n, ino: n + 1, hash: `h${n}`, firstSeenAt: n, changedAt: null, result: { ok: false, reason: `rejected #${n}` } };
  const article = makeArticle({ path, title: `Title ${n}`, html: bodyFor(n, htmlBytes), publishedAt: new Date(1_700_000_000_000 + n * 1000) });
  return {
    path,
    size: n,
    mtimeMs: 1_700_000_000_000 + n + 0.5,
    ino: n + 1,
    hash: `h${n}`,
    firstSeenAt: n,
    changedAt: n * 2,
    result: { ok: true, article: toStoredArticle(article) },
  };
}
