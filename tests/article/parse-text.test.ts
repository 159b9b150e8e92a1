import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOk, parseReason } from './helpers.ts';

const SAMPLE_PATH = join(import.meta.dirname, '..', '..', 'articles', 'us-ukraine-talks-constructive.txt');

/** The sample's body lines: everything after section and headline, minus blanks and the trailer. */
function sampleBodyLines(text: string): string[] {
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return lines.slice(2).filter((line) => !line.startsWith('More In '));
}

function unescapeHtml(html: string): string {
  return html.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

function paragraphsOf(html: string): string[] {
  return [...html.matchAll(/<p>(.*?)<\/p>/g)].map((match) => match[1] ?? '');
}

describe('parseArticle with the sample .txt', () => {
  const bytes = readFileSync(SAMPLE_PATH);
  const text = bytes.toString('utf8');
  const article = parseOk('us-ukraine-talks-constructive.txt', new Uint8Array(bytes));

  it('takes the section from the first line', () => {
    expect(article.section).toBe('Politics');
    expect(article.sectionSlug).toBe('politics');
  });

  it('takes the headline from the next non-blank line', () => {
    expect(article.title).toBe('US-Ukraine talks ‘constructive,’ says Zelenskyy as negotiations continue');
  });

  it('keeps every paragraph in order, including lines split by a single newline', () => {
    const expected = sampleBodyLines(text);
    const paragraphs = paragraphsOf(article.html).map(unescapeHtml);
    expect(paragraphs).toHaveLength(expected.length);
    expect(paragraphs).toEqual(expected);
    // The sample's one single-newline break: two paragraphs, not one.
    const added = paragraphs.findIndex((p) => p.startsWith('He added,'));
    expect(paragraphs[added + 1]?.startsWith('Sunday’s meeting follows')).toBe(true);
  });

  it('drops the scraped "More In … MORE..." trailer', () => {
    expect(text.trimEnd().endsWith('More In Politics MORE...')).toBe(true);
    expect(article.html).not.toContain('More In');
  });

  it('summarises with the first paragraph', () => {
    expect(article.summary).toBe(sampleBodyLines(text)[0]);
  });

  it('fills the remaining fields for a plain-text file', () => {
    expect(article).toMatchObject({
      path: 'us-ukraine-talks-constructive.txt',
      slug: 'us-ukraine-talks-constructive',
      format: 'txt',
      draft: false,
      authors: [],
      tags: [],
    });
    expect(article.image).toBeUndefined();
  });
});

describe('the folder rule for .txt', () => {
  it('drops a first line that names the folder and keeps its spelling as the section', () => {
    const article = parseOk('politics-and-conflicts/x.txt', 'Politics and conflicts\n\nTalks resume\n\nBody.');
    expect(article.section).toBe('Politics and conflicts');
    expect(article.sectionSlug).toBe('politics-and-conflicts');
    expect(article.title).toBe('Talks resume');
    expect(article.html).toBe('<p>Body.</p>');
  });

  it('treats a first line that does not name the folder as the headline', () => {
    const article = parseOk('politics-and-conflicts/x.txt', 'Talks resume\n\nBody one.\n\nBody two.');
    expect(article.section).toBe('politics-and-conflicts');
    expect(article.title).toBe('Talks resume');
    expect(article.html).toBe('<p>Body one.</p>\n<p>Body two.</p>');
  });

  it('compares the first line with the folder by slug, ignoring case and spacing', () => {
    const article = parseOk('Sports/x.txt', '  SPORTS  \nFinal score\nText.');
    expect(article.section).toBe('SPORTS');
    expect(article.sectionSlug).toBe('sports');
    expect(article.title).toBe('Final score');
  });

  it('takes the section from the top folder however deep the file is', () => {
    const article = parseOk('a/b/c.txt', 'Headline here\n\nBody.');
    expect(article.section).toBe('a');
    expect(article.title).toBe('Headline here');
    expect(parseOk('a/b/c.txt', 'A\n\nHeadline here').title).toBe('Headline here');
  });

  it('lets a top-level file name its own section', () => {
    expect(parseOk('x.txt', 'Health\n\nHeadline').section).toBe('Health');
  });
});

describe('parseArticle with .txt bodies', () => {
  it('makes every non-blank line its own trimmed paragraph', () => {
    const article = parseOk('x.txt', 'World\n\nHeadline\n\n  one  \ntwo\u00a0\n\n\n\nthree');
    expect(article.html).toBe('<p>one</p>\n<p>two</p>\n<p>three</p>');
  });

  it('keeps the spacing inside a line', () => {
    expect(parseOk('x.txt', 'World\nHeadline\na  b\u2009c').html).toBe('<p>a  b\u2009c</p>');
  });

  it('escapes HTML special characters in paragraphs', () => {
    const article = parseOk('x.txt', 'World\n\nHeadline\n\nAT&T <script>alert("x")</script> it\'s');
    expect(article.html).toBe('<p>AT&amp;T &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; it&#39;s</p>');
  });

  it('keeps titles as plain text, never markup', () => {
    expect(parseOk('x.txt', 'World\n\n<b>Bold</b> & co').title).toBe('<b>Bold</b> & co');
  });

  it('accepts a headline with no body and uses the title as the summary', () => {
    const article = parseOk('x.txt', 'World\n\nJust a headline');
    expect(article.html).toBe('');
    expect(article.summary).toBe('Just a headline');
  });

  it('only treats the trailer as such on the last line', () => {
    const article = parseOk('x.txt', 'World\n\nHeadline\n\nMore In World MORE...\n\nLast words.');
    expect(article.html).toContain('More In World MORE...');
    expect(parseOk('x.txt', 'World\nHeadline\nBody\nmore in world more...').html).toBe('<p>Body</p>');
  });

  it('skips a dateline when choosing the summary but keeps it in the body', () => {
    const article = parseOk('x.txt', 'World\n\nHeadline\n\nFriday, January 4, 2019\u00a0\n\nThe real lead.');
    expect(article.summary).toBe('The real lead.');
    expect(article.html).toContain('<p>Friday, January 4, 2019</p>');
  });

  it('cuts a long first paragraph at a word boundary with an ellipsis', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const summary = parseOk('x.txt', `World\nHeadline\n${words}`).summary;
    expect(summary.length).toBeLessThanOrEqual(280);
    expect(summary.endsWith('…')).toBe(true);
    expect(words.startsWith(`${summary.slice(0, -1)} `)).toBe(true);
  });

  it('shortens a headline over 300 characters and keeps it whole as the first paragraph', () => {
    const line = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ') + ' & <more>';
    const article = parseOk('x.txt', `World\n${line}\nThe body.`);
    expect(article.title.length).toBeLessThanOrEqual(300);
    expect(article.title.endsWith('…')).toBe(true);
    expect(line.startsWith(`${article.title.slice(0, -1)} `)).toBe(true);
    expect(paragraphsOf(article.html).map(unescapeHtml)).toEqual([line, 'The body.']);
    expect(article.summary).toBe('The body.');
    // A headline alone: the summary is cut from it, not the whole line.
    const alone = parseOk('x.txt', `World\n${'&'.repeat(50_000)}`);
    expect(alone.title.length).toBeLessThanOrEqual(300);
    expect(alone.summary.length).toBeLessThanOrEqual(280);
    expect(paragraphsOf(alone.html).map(unescapeHtml)).toEqual(['&'.repeat(50_000)]);
  });

  it('keeps a 300-character headline as it is', () => {
    const line = 'a'.repeat(300);
    expect(parseOk('x.txt', `World\n${line}\nBody.`).title).toBe(line);
  });

  it('shortens a section name over 100 characters', () => {
    const section = Array.from({ length: 40 }, (_, i) => `s${i}`).join(' ');
    const article = parseOk('x.txt', `${section}\nHeadline\nBody.`);
    expect(article.section.length).toBeLessThanOrEqual(100);
    expect(section.startsWith(`${article.section.slice(0, -1)} `)).toBe(true);
  });

  it('rejects a file with a section line and nothing else', () => {
    expect(parseReason('x.txt', 'Politics\n\n')).toBe('no headline');
    expect(parseReason('x.txt', 'Politics\n\nMore In Politics MORE...')).toBe('no headline');
  });
});

describe('parseArticle with a trailing Tags line in a .txt', () => {
  it('takes the tags from a last line "Tags: a, b" and leaves it out of the body', () => {
    const article = parseOk('talks.txt', 'Politics\n\nTalks resume\n\nFirst paragraph.\n\nTags: Ukraine, Diplomacy,  ukraine , \n');
    expect(article.tags).toEqual(['Ukraine', 'Diplomacy']);
    expect(article.html).toBe('<p>First paragraph.</p>');
  });

  it('finds it with the scraped trailer on either side, and drops both', () => {
    for (const ending of ['Tags: Ukraine\nMore In Politics MORE...', 'More In Politics MORE...\nTags: Ukraine']) {
      const article = parseOk('talks.txt', `Politics\n\nTalks resume\n\nFirst paragraph.\n${ending}`);
      expect(article.tags, ending).toEqual(['Ukraine']);
      expect(article.html, ending).toBe('<p>First paragraph.</p>');
    }
  });

  it('keeps a paragraph starting with "Tags:" anywhere but last, and a headline that does', () => {
    const middle = parseOk('a.txt', 'Politics\n\nTalks resume\n\nTags: are what shops print on prices.\n\nLast paragraph.');
    expect(middle.tags).toEqual([]);
    expect(middle.html).toBe('<p>Tags: are what shops print on prices.</p>\n<p>Last paragraph.</p>');
    const headline = parseOk('b.txt', 'Politics\n\nTags: a history of labels');
    expect(headline.tags).toEqual([]);
    expect(headline.title).toBe('Tags: a history of labels');
  });

  it('leaves files without one as they were', () => {
    const article = parseOk('c.txt', 'Politics\n\nTalks resume\n\nFirst paragraph.\nMore In Politics MORE...');
    expect(article.tags).toEqual([]);
    expect(article.html).toBe('<p>First paragraph.</p>');
  });
});
