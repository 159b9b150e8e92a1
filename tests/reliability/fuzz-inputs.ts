// Generators for tests/reliability/fuzz.test.ts: hostile article files as text and as bytes.
// Every generator mixes random code points with fragments chosen to break a parser, a feed
// or a page: characters XML cannot carry, markup, entities, line-end styles, long lines.
import fc from 'fast-check';

/** Characters and snippets that have broken feed generators before; each goes in as is. */
export const NASTY_FRAGMENTS: readonly string[] = [
  // Not allowed in XML 1.0 at all, or only "discouraged": C0, DEL, C1, noncharacters, BOM.
  '\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F',
  '\u0080', '\u0085', '\u0093', '\u009F', '\uFEFF', '\uFFFE', '\uFFFF', '\uFFFD',
  // Lone surrogates (fast-check's 'binary' unit never makes them).
  '\uD800', '\uDBFF', '\uDC00', '\uDFFF', 'a\uD83D', '\uDE00b',
  // Line ends: CR only, CRLF, Unicode separators, NEL.
  '\r', '\r\n', '\n', '\r\r\n', '\t', '\u2028', '\u2029', '\u00A0', '\u3000', '\u200B',
  // Markup and CDATA.
  ']]>', ']]]]><![CDATA[>', '<![CDATA[', '<', '>', '"', "'", '`', '<script>alert(1)</script>', '</title>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '</script>', '<!--', '-->', '<?xml version="1.0"?>',
  '<!DOCTYPE x [<!ENTITY e "boom">]>', '<h1>', '</h1>', '<b>bold</b>', '<img src=x onerror=alert(1)>',
  // Entity-looking text: must stay text.
  '&', '&amp;', '&lt;', '&gt;', '&quot;', '&#39;', '&#0;', '&#x0;', '&#xD800;', '&#x110000;', '&#65;',
  '&#x26;', '&nbsp;', '&e;', '&bogus;', '&amp', 'AT&T', 'Q&A', '&&',
  // Bidirectional controls, right-to-left scripts, emoji, combining marks.
  '\u200E', '\u200F', '\u202A', '\u202E', '\u2066', '\u2069', '\u061C', 'مرحبا بالعالم', 'שלום',
  '👍🏽', '👨‍👩‍👧', '🏳️‍🌈', '🇺🇳', 'e\u0301', '\u0301', 'Z\u0351\u0352\u0353\u0354', 'ﷺ', '𝕏',
  // Things other layers might interpret.
  '{{title}}', '${title}', '%s', '%00', '\\', '\\u0000', 'tag:', 'javascript:alert(1)', '---', '...',
  '# ', '* ', '[x]', 'Friday, January 4, 2019', 'More In Politics MORE...', '__proto__', 'null',
];

/** Raw HTML that must never survive as markup: event handlers, script URLs, script-like elements. */
export const HOSTILE_HTML: readonly string[] = [
  '<img src=x onerror="alert(1)">',
  '<img/src/onerror=alert(1)>',
  '<IMG SRC="jav&#x09;ascript:alert(1)">',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="  JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;avascript:alert(1)">click</a>',
  '<a href="java\nscript:alert(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
  '<a href="vbscript:msgbox(1)">vb</a>',
  '<a href=javascript:alert(1)>unquoted</a>',
  '<a href="/relative?a=1&b=2">relative</a>',
  '<a href="//evil.example/">protocol-relative</a>',
  '<div onclick="alert(1)">div</div>',
  '<p onmouseover=alert(1)>p</p>',
  '<svg onload=alert(1)><circle/></svg>',
  '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
  '<iframe src="https://evil.example/"></iframe>',
  '<object data="x.swf"></object>',
  '<embed src="x.swf">',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button></form>',
  '<details open ontoggle=alert(1)>d</details>',
  '<table><tr><td style="background:url(javascript:alert(1))" onclick=x>cell</td></tr></table>',
  '<span style="x:expression(alert(1))">expr</span>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<script>alert(1)',
  '<!-- <script>alert(1)</script> -->',
  '<textarea><script>alert(1)</script></textarea>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<template><script>alert(1)</script></template>',
  '<a href="https://ok.example/?q=<x>&r=\'y\'">ok</a>',
  '<img src="https://ok.example/a.png" alt="x" onload="alert(1)">',
];

/** Link targets for Markdown links and images, safe and not. */
const LINK_TARGETS = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:x',
  'https://ok.example/a?b=1&c=<2>',
  '/relative/page',
  'relative',
  '#anchor',
  'mailto:x@example.com',
  '<javascript:alert(1)>',
  'https://ok.example/"onmouseover="alert(1)',
];

const fragment = fc.constantFrom(...NASTY_FRAGMENTS);

/** Text made of random code points (any plane), printable graphemes and nasty fragments. */
export const nastyText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fragment },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 12 }) },
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

/** A line of at least 100 KB built by repeating a short piece. */
export const longLine: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fragment, fc.constantFrom('a', 'word ', '&', '<', 'é', '👍', ' ', '\u202E')), fc.constantFrom('', ' ', '&<>'))
  .map(([piece, separator]) => {
    const unit = `${piece}${separator}`;
    return unit.repeat(Math.ceil(100_000 / unit.length));
  });

/** Mostly nasty text, now and then one 100 KB line. */
// A 100 KB section line makes a 135 KB section slug, which every feed link repeats (several MB
// of feed per case), so long lines stay rare enough to keep the short run near 20 s.
const line = fc.oneof({ weight: 300, arbitrary: nastyText }, { weight: 1, arbitrary: longLine });

/** Joins lines with one line-end style, or a random style per join. */
function joinLines(lines: string[], style: string, picks: number[]): string {
  if (style !== 'mixed') return lines.join(style);
  const ends = ['\n', '\r\n', '\r'];
  return lines.map((text, i) => (i === 0 ? text : `${ends[(picks[i] ?? 0) % 3]}${text}`)).join('');
}

const lineEnds = fc.constantFrom('\n', '\r\n', '\r', 'mixed');
const picks = fc.array(fc.nat(2), { minLength: 40, maxLength: 40 });
const bom = fc.constantFrom('', '', '\uFEFF');

/** Where the file sits: top level (line one is the section) or in a section folder. */
export const txtPath = fc.constantFrom('fuzz.txt', 'politics/fuzz.txt', 'Ünï cødé 🗞/fuzz.TXT', 'a b/c d/fuzz.txt');
export const mdPath = fc.constantFrom('fuzz.md', 'politics/fuzz.md', 'Ünï cødé 🗞/fuzz.markdown', 'deep/er/fuzz.MD');

/** A `.txt` article: section line, headline, paragraphs, blank lines here and there. */
export const txtArticle = fc
  .record({
    path: txtPath,
    bom,
    section: line,
    title: line,
    paragraphs: fc.array(line, { maxLength: 5 }),
    blank: fc.boolean(),
    eol: lineEnds,
    picks,
  })
  .map(({ path, bom, section, title, paragraphs, blank, eol, picks }) => {
    const lines = blank ? [section, '', title, '', ...paragraphs.flatMap((p) => [p, ''])] : [section, title, ...paragraphs];
    return { path, text: `${bom}${joinLines(lines, eol, picks)}` };
  });

/** A front-matter value as YAML: quoted (escapes can make any code point), plain, block, or odd. */
const yamlValue = fc.oneof(
  { weight: 4, arbitrary: nastyText.map((text) => JSON.stringify(text)) },
  { weight: 2, arbitrary: nastyText.map((text) => `'${text.replaceAll("'", "''")}'`) },
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: nastyText.map((text) => `|\n  ${text.split(/\r\n?|\n/).join('\n  ')}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'true', 'false', '~', 'null', '[]', '{}', '[a, b, A]', '{name: Jane, email: j@example.com}', '1984', '0x1F',
      '.inf', '-.nan', '!!binary aGk=', '!!str 12', '!!js/function "x"', '&anchor value', '*anchor', '"\\N\\L\\P\\_"',
      '"\\x00\\x1F\\x85\\uFFFE\\uD800"', '"\\U0001F600"', '2019-01-14', '2019-02-30', '03/04/2019',
      '2024-06-01T12:00:00+02:00', '2099-12-31T23:59:59Z', 'Jane Doe <jane@example.com>',
      'https://ok.example/img.png', 'javascript:alert(1)', '/images/a.png', 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      '[[[[[[[[[[x]]]]]]]]]]', '{a: *a}', '? complex key', '- list', '>\n  folded\n  text',
    ),
  },
);

const KEYS = ['title', 'section', 'summary', 'id', 'date', 'updated', 'author', 'authors', 'tags', 'image', 'draft', 'source_url', '__proto__', 'constructor', 'Title', ''];
const field = fc.tuple(fc.constantFrom(...KEYS), yamlValue).map(([key, value]) => `${key}: ${value}`);
const goodDate = fc.constantFrom('date: 2020-05-01', 'date: 2024-02-29T10:00:00Z', 'date: 2099-01-01', 'updated: 2021-01-01T00:00:00-05:00');

/** A YAML front-matter block: usually with a title, sometimes broken. */
const frontMatter = fc
  .record({
    title: fc.option(yamlValue.map((value) => `title: ${value}`), { freq: 4 }),
    fields: fc.array(fc.oneof({ weight: 5, arbitrary: field }, { weight: 1, arbitrary: goodDate }), { maxLength: 6 }),
    draft: fc.constantFrom('', '', '', '', 'draft: true', 'draft: false'),
    closing: fc.constantFrom('---', '---', '---', '...', '--- ', ''),
  })
  .map(({ title, fields, draft, closing }) => ['---', ...(title === null ? [] : [title]), ...fields, draft, closing].join('\n'));

/** One block of a Markdown body: prose, headings, lists, code, links, hostile HTML. */
const markdownBlock = fc.oneof(
  { weight: 4, arbitrary: line },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_HTML) },
  { weight: 1, arbitrary: nastyText.map((text) => `## ${text}`) },
  { weight: 1, arbitrary: nastyText.map((text) => `- ${text}\n- ${text}`) },
  { weight: 1, arbitrary: nastyText.map((text) => `> ${text}`) },
  { weight: 1, arbitrary: nastyText.map((text) => `\`\`\`js\n${text}\n\`\`\``) },
  { weight: 1, arbitrary: nastyText.map((text) => `\`${text}\``) },
  { weight: 1, arbitrary: nastyText.map((text) => `| a | b |\n|:-|-:|\n| ${text} | x |`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom('', '!'), nastyText, fc.constantFrom(...LINK_TARGETS))
      .map(([bang, text, target]) => `${bang}[${text}](${target})`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_HTML), nastyText).map(([html, text]) => `${text}${html}${text}`) },
);

/** A Markdown article: optional front matter, optional `# heading`, then blocks. */
export const markdownArticle = fc
  .record({
    path: mdPath,
    bom,
    frontMatter: fc.option(frontMatter, { freq: 3 }),
    heading: fc.option(fc.oneof(nastyText, fc.constantFrom(...HOSTILE_HTML)).map((text) => `# ${text}`), { freq: 2 }),
    blocks: fc.array(markdownBlock, { maxLength: 6 }),
    eol: lineEnds,
    picks,
  })
  .map(({ path, bom, frontMatter, heading, blocks, eol, picks }) => {
    const parts = [frontMatter, heading, ...blocks].filter((part): part is string => part !== null);
    // Blocks are joined with a blank line; the chosen line-end style applies throughout.
    const lines = parts.join('\n\n').split('\n');
    return { path, text: `${bom}${joinLines(lines, eol, picks)}` };
  });

/**
 * Unstructured text of any kind as a whole file, `.txt` or Markdown, as UTF-8 or as UTF-16 with a
 * BOM. UTF-8 cannot carry a lone surrogate (TextEncoder writes U+FFFD); UTF-16 can, unit by unit.
 */
export const unicodeFile = fc
  .record({
    path: fc.oneof(txtPath, mdPath),
    text: fc.oneof(
      { weight: 60, arbitrary: nastyText },
      { weight: 30, arbitrary: fc.array(line, { maxLength: 6 }).map((lines) => lines.join('\n')) },
      { weight: 1, arbitrary: longLine },
    ),
    encoding: fc.constantFrom('utf-8', 'utf-8', 'utf-16le', 'utf-16be'),
  })
  .map(({ path, text, encoding }) => ({ path, encoding, bytes: encode(text, encoding) }));

/** `text` as UTF-8, or as UTF-16 code units (lone surrogates kept) after a byte order mark. */
function encode(text: string, encoding: string): Uint8Array {
  if (encoding === 'utf-8') return new TextEncoder().encode(text);
  const units = `\uFEFF${text}`;
  const bytes = new Uint8Array(units.length * 2);
  for (let i = 0; i < units.length; i++) {
    const unit = units.charCodeAt(i);
    const [high, low] = [unit >> 8, unit & 0xff];
    bytes.set(encoding === 'utf-16le' ? [low, high] : [high, low], i * 2);
  }
  return bytes;
}

const encoder = new TextEncoder();

/** Byte sequences worth injecting: BOMs, invalid and overlong UTF-8, CR, NUL, Windows-1252 quotes. */
const SPECIAL_BYTES: readonly number[][] = [
  [0xef, 0xbb, 0xbf], // UTF-8 BOM
  [0xff, 0xfe], // UTF-16 LE BOM
  [0xfe, 0xff], // UTF-16 BE BOM
  [0x00],
  [0x0a],
  [0x0a, 0x0a],
  [0x0d],
  [0x0d, 0x0a],
  [0xc0, 0x80], // overlong NUL
  [0xed, 0xa0, 0x80], // a surrogate encoded as UTF-8 (CESU)
  [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
  [0xe2, 0x82], // truncated €
  [0x80],
  [0x93, 0x48, 0x94], // “H” in Windows-1252
  [0x81, 0x8d, 0x8f, 0x90, 0x9d], // undefined in Windows-1252
  [0x99],
  [0xa0],
];

/** Arbitrary bytes: random runs, special sequences and UTF-8 of nasty text, in any order. */
export const byteFile = fc
  .record({
    path: fc.oneof(txtPath, mdPath),
    chunks: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.uint8Array({ min: 1, max: 255, maxLength: 48 }) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 48 }) },
        { weight: 4, arbitrary: fc.constantFrom(...SPECIAL_BYTES).map((bytes) => Uint8Array.from(bytes)) },
        { weight: 3, arbitrary: nastyText.map((text) => encoder.encode(text)) },
      ),
      { maxLength: 24 },
    ),
  })
  .map(({ path, chunks }) => ({ path, bytes: concatBytes(chunks) }));

/** Bytes with none of LF, CR or NUL: one line of a `.txt` file. */
const lineBytes = (maxLength: number) =>
  fc
    .array(fc.oneof(fc.integer({ min: 0x80, max: 0x9f }), fc.integer({ min: 1, max: 255 })), { maxLength })
    .map((bytes) => Uint8Array.from(bytes.filter((byte) => byte !== 0x0a && byte !== 0x0d)));

/**
 * A `.txt` file whose bytes are not UTF-8: `S`, a blank line, a headline `T…` and body lines of
 * random bytes (0x80–0x9F favoured). The test decodes it with its own Windows-1252 table.
 */
export const windows1252File = fc
  .record({ title: lineBytes(40), body: fc.array(lineBytes(60), { maxLength: 4 }) })
  .map(({ title, body }) => {
    const parts = [encoder.encode('S\n\nT'), title, ...body.flatMap((line) => [Uint8Array.of(0x0a), line])];
    return { title, body, bytes: concatBytes(parts) };
  })
  .filter(({ bytes }) => !isUtf8(bytes));

export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
