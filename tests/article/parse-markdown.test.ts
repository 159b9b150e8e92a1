import { describe, expect, it } from 'vitest';
import { MTIME, markdown, parseOk, parseReason } from './helpers.ts';

describe('parseArticle with Markdown front matter', () => {
  it('reads title, section, summary, tags, authors and image', () => {
    const article = parseOk(
      'notes/x.md',
      markdown([
        'title: "  Budget passes  "',
        'section: Economy and business',
        'summary: |',
        '  A short',
        '  summary.',
        'tags: [budget, Parliament, budget]',
        'authors:',
        '  - Ada Lovelace',
        '  - { name: Grace, email: grace@example.com, url: /people/grace }',
        'author: Jo <jo@example.com>',
        'image: images/budget.jpg',
      ]),
    );
    expect(article).toMatchObject({
      title: 'Budget passes',
      section: 'Economy and business',
      sectionSlug: 'economy-and-business',
      summary: 'A short summary.',
      tags: ['budget', 'Parliament'],
      authors: [
        { name: 'Ada Lovelace' },
        { name: 'Grace', email: 'grace@example.com', url: 'https://news.example.com/people/grace' },
        { name: 'Jo', email: 'jo@example.com' },
      ],
      // Relative to the file's folder, as Markdown editors preview it.
      image: 'https://news.example.com/notes/images/budget.jpg',
      format: 'md',
      draft: false,
    });
  });

  it('accepts tags as a comma-separated string', () => {
    expect(parseOk('x.md', markdown(['title: T', 'tags: "a, b ,, c"'])).tags).toEqual(['a', 'b', 'c']);
  });

  it('resolves a root-relative image against the site root and a relative one against the file\'s folder', () => {
    expect(parseOk('Science News/x.md', markdown(['title: T', 'image: /images/a.png'])).image).toBe('https://news.example.com/images/a.png');
    expect(parseOk('Science News/x.md', markdown(['title: T', 'image: a b.png'])).image).toBe('https://news.example.com/Science%20News/a%20b.png');
  });

  it('takes the body\'s first image when front matter names none', () => {
    const article = parseOk('science/x.md', markdown(['title: T'], 'Text.\n\n![A chip](chip.jpg?w=1&h=2) ![B](https://cdn.example.org/b.png)'));
    expect(article.image).toBe('https://news.example.com/science/chip.jpg?w=1&h=2');
    expect(article.html).toContain('<img src="https://news.example.com/science/chip.jpg?w=1&amp;h=2" alt="A chip">');
    expect(parseOk('science/x.md', markdown(['title: T', 'image: /lead.png'], '![A chip](chip.jpg)')).image).toBe('https://news.example.com/lead.png');
    expect(parseOk('science/x.md', markdown(['title: T'], 'No picture.')).image).toBeUndefined();
  });

  it('keeps an absolute image URL as it is', () => {
    const article = parseOk('x.md', markdown(['title: T', 'image: https://cdn.example.org/a.png']));
    expect(article.image).toBe('https://cdn.example.org/a.png');
  });

  it('rejects an image that is not an http(s) URL', () => {
    expect(parseReason('x.md', markdown(['title: T', 'image: "javascript:alert(1)"']))).toContain('`image`');
  });

  it('keeps a title with markup as literal text', () => {
    expect(parseOk('x.md', markdown(['title: "<b>x</b> & y"'])).title).toBe('<b>x</b> & y');
  });

  it('reads a number as text for a title', () => {
    expect(parseOk('x.md', markdown(['title: 1984'])).title).toBe('1984');
  });

  it('rejects a title that is a list', () => {
    expect(parseReason('x.md', markdown(['title: [a, b]']))).toBe('front matter `title` must be text');
  });

  it('marks drafts but still parses them', () => {
    expect(parseOk('x.md', markdown(['title: T', 'draft: true'])).draft).toBe(true);
    expect(parseOk('x.md', markdown(['title: T', 'draft: false'])).draft).toBe(false);
    expect(parseReason('x.md', markdown(['title: T', 'draft: yes']))).toBe('front matter `draft` must be true or false');
  });

  it('parses a file without front matter when the body opens with a heading', () => {
    const article = parseOk('x.md', '# The *big* day\n\nFirst paragraph.\n');
    expect(article.title).toBe('The big day');
    expect(article.html).toBe('<p>First paragraph.</p>');
  });

  it('takes a leading heading as the title only when the front matter has none', () => {
    const withTitle = parseOk('x.md', markdown(['title: Given'], '# Heading\n\nText.'));
    expect(withTitle.title).toBe('Given');
    expect(withTitle.html).toContain('<h1>Heading</h1>');
    const without = parseOk('x.md', markdown(['section: S'], '# Heading\n\nText.'));
    expect(without.title).toBe('Heading');
    expect(without.html).toBe('<p>Text.</p>');
  });

  it('treats empty front matter as no fields', () => {
    expect(parseOk('x.md', '---\n---\n# Title\n').title).toBe('Title');
  });

  it('ignores unknown keys such as source_url', () => {
    expect(parseOk('x.md', markdown(['title: T', 'source_url: "https://x"', 'license: CC'])).title).toBe('T');
  });
});

describe('Markdown sections', () => {
  it('prefers the front-matter section', () => {
    expect(parseOk('sports/x.md', markdown(['title: T', 'section: Health'])).section).toBe('Health');
  });

  it('falls back to the top folder name', () => {
    expect(parseOk('sports/deep/x.md', markdown(['title: T'])).section).toBe('sports');
  });

  it('falls back to the default section for a top-level file', () => {
    expect(parseOk('x.md', markdown(['title: T'])).section).toBe('General');
    expect(parseOk('x.md', markdown(['title: T']), { defaultSection: 'News' }).section).toBe('News');
  });
});

describe('Markdown dates', () => {
  it('reads date-only values as midnight UTC', () => {
    const article = parseOk('x.md', markdown(['title: T', 'date: 2019-01-14', 'updated: 2019-01-15']));
    expect(article.publishedAt.toISOString()).toBe('2019-01-14T00:00:00.000Z');
    expect(article.updatedAt.toISOString()).toBe('2019-01-15T00:00:00.000Z');
  });

  it('reads date-times with offsets, and without one as UTC', () => {
    const article = parseOk('x.md', markdown(['title: T', 'date: 2020-03-01T10:30:00+02:00', 'updated: "2020-03-02 08:00"']));
    expect(article.publishedAt.toISOString()).toBe('2020-03-01T08:30:00.000Z');
    expect(article.updatedAt.toISOString()).toBe('2020-03-02T08:00:00.000Z');
  });

  it('uses the modification time when the front matter has no dates', () => {
    const article = parseOk('x.md', markdown(['title: T']));
    expect(article.publishedAt).toEqual(MTIME);
    expect(article.updatedAt).toEqual(MTIME);
  });

  it('never lets the update time fall before publication', () => {
    const article = parseOk('x.md', markdown(['title: T', 'date: 2030-01-01']));
    expect(article.updatedAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it.each(['yesterday', '2019-02-30', '14/01/2019', '2019-01-14T25:00'])('rejects the date "%s"', (value) => {
    expect(parseReason('x.md', markdown(['title: T', `date: "${value}"`]))).toBe(`date does not parse: "${value}"`);
  });

  it('rejects a number as a date', () => {
    expect(parseReason('x.md', markdown(['title: T', 'date: 20190114']))).toBe('date does not parse: "20190114"');
  });

  it('rejects a bad updated date with its own field name', () => {
    expect(parseReason('x.md', markdown(['title: T', 'updated: soon']))).toBe('updated does not parse: "soon"');
  });
});

describe('Markdown bodies', () => {
  it('renders Markdown to HTML', () => {
    const html = parseOk('x.md', markdown(['title: T'], '## Sub\n\n- one\n- **two**\n\n> quote\n\n`code`')).html;
    expect(html).toContain('<h2>Sub</h2>');
    expect(html).toContain('<li><strong>two</strong></li>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<code>code</code>');
  });

  it('removes scripts with their content', () => {
    const html = parseOk('x.md', markdown(['title: T'], 'Hi <script>alert(1)</script> there\n\n<script>\nalert(2)\n</script>\n')).html;
    expect(html).not.toMatch(/script|alert/);
    expect(html).toContain('Hi');
  });

  it('removes event handler attributes', () => {
    const html = parseOk('x.md', markdown(['title: T'], '<img src="https://x.org/a.png" onerror="alert(1)" alt="a">')).html;
    expect(html).not.toContain('onerror');
    expect(html).toContain('src="https://x.org/a.png"');
  });

  it('removes javascript:, vbscript: and data: URLs', () => {
    const body = [
      '<a href="javascript:alert(1)">a</a>',
      '<a href="&#106;avascript:alert(1)">b</a>',
      '<a href="VBScript:msgbox(1)">c</a>',
      '<img src="data:image/png;base64,AAAA">',
      '[d](javascript:alert(1))',
    ].join(' ');
    const html = parseOk('x.md', markdown(['title: T'], body)).html;
    // markdown-it refuses the Markdown link, so `[d](javascript:…)` stays as inert text.
    expect(html).toBe('<p><a>a</a> <a>b</a> <a>c</a> <img> [d](javascript:alert(1))</p>');
  });

  it('removes iframes, styles and comments', () => {
    const html = parseOk('x.md', markdown(['title: T'], '<iframe src="https://x">f</iframe>\n\n<style>p{}</style>\n\n<!-- note -->\n\nText')).html;
    expect(html).toBe('<p>Text</p>');
  });

  it('keeps ordinary links and makes relative ones absolute', () => {
    const html = parseOk('x.md', markdown(['title: T'], '[a](https://example.org/x?y=1&z=2) [b](/about) [c](#top) [e](mailto:a@b.c)')).html;
    expect(html).toContain('<a href="https://example.org/x?y=1&amp;z=2">a</a>');
    expect(html).toContain('<a href="https://news.example.com/about">b</a>');
    expect(html).toContain('<a href="#top">c</a>');
    expect(html).toContain('<a href="mailto:a@b.c">e</a>');
  });

  it('keeps tables and code blocks', () => {
    const html = parseOk('x.md', markdown(['title: T'], '| a | b |\n|--:|---|\n| 1 | 2 |\n\n```js\nx < 1\n```\n')).html;
    expect(html).toContain('<th style="text-align:right;">a</th>');
    expect(html).toContain('<pre><code class="language-js">x &lt; 1\n</code></pre>');
  });

  it('summarises with the first paragraph as plain text', () => {
    const article = parseOk('x.md', markdown(['title: T'], '# Not this\n\nFirst *para* &amp; <b>bold</b> `code`.\nSame para.\n\nSecond.'));
    expect(article.summary).toBe('First para & bold code. Same para.');
  });

  it('uses the title as the summary when there is no paragraph', () => {
    expect(parseOk('x.md', markdown(['title: T'], '')).summary).toBe('T');
  });
});

describe('Markdown failures', () => {
  it('rejects front matter that does not parse, quoting the YAML error', () => {
    const reason = parseReason('x.md', markdown(['title: a: b']));
    expect(reason).toMatch(/^front matter does not parse: Nested mappings are not allowed/);
    expect(reason).not.toContain('\n');
  });

  it('rejects front matter that is not a mapping', () => {
    expect(parseReason('x.md', markdown(['- a', '- b']))).toMatch(/^front matter does not parse: /);
  });

  it('rejects front matter with no closing fence', () => {
    expect(parseReason('x.md', '---\ntitle: T\n\nBody')).toMatch(/^front matter does not parse: /);
  });

  it('rejects a file with no title and no leading heading', () => {
    expect(parseReason('x.md', 'Just text.\n\n# Late heading')).toBe(
      'Markdown file has no title (add `title:` to the front matter)',
    );
  });
});
