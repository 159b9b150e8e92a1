import { describe, expect, it } from 'vitest';
import { parseOk, parseReason } from './helpers.ts';

function bytes(...parts: Array<string | number[]>): Uint8Array {
  const chunks = parts.map((part) => (typeof part === 'string' ? new TextEncoder().encode(part) : Uint8Array.from(part)));
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

describe('decoding article bytes', () => {
  it('strips a leading UTF-8 BOM', () => {
    const article = parseOk('x.txt', bytes([0xef, 0xbb, 0xbf], 'World\nHeadline\nBody'));
    expect(article.section).toBe('World');
  });

  it('drops U+FEFF anywhere in the text', () => {
    expect(parseOk('x.txt', 'World\nHead\ufeffline\nBo\ufeffdy').html).toBe('<p>Body</p>');
  });

  it('treats CRLF line ends like LF', () => {
    const article = parseOk('x.txt', 'World\r\n\r\nHeadline\r\n\r\nOne\r\nTwo\r\n');
    expect(article.title).toBe('Headline');
    expect(article.html).toBe('<p>One</p>\n<p>Two</p>');
  });

  it('treats lone CR line ends like LF', () => {
    const article = parseOk('x.txt', 'World\r\rHeadline\r\rOne\rTwo');
    expect(article.title).toBe('Headline');
    expect(article.html).toBe('<p>One</p>\n<p>Two</p>');
  });

  it('removes control characters but keeps tabs', () => {
    const article = parseOk('x.txt', 'World\nHead\u0007line\u001b\nA\tB\u000bC\u0085D\u007f');
    expect(article.title).toBe('Headline');
    expect(article.html).toBe('<p>A\tBCD</p>');
  });

  it('removes noncharacters U+FFFE and U+FFFF', () => {
    expect(parseOk('x.md', '# A\ufffeB\uffffC\n').title).toBe('ABC');
  });

  it('removes lone surrogates but keeps real astral characters', () => {
    // UTF-8 cannot carry a lone surrogate (TextEncoder would write U+FFFD), but UTF-16 can.
    const prefix = '# Emoji 😀 ';
    const units = Array.from({ length: prefix.length }, (_, i) => prefix.charCodeAt(i));
    const text = [...units, 0xd800, 0x6f, 0x6b, 0xdc00].flatMap((unit) => [unit & 0xff, unit >> 8]);
    expect(parseOk('x.md', Uint8Array.from([0xff, 0xfe, ...text])).title).toBe('Emoji 😀 ok');
  });

  it('decodes non-UTF-8 bytes as Windows-1252, 0x80–0x9F included', () => {
    const article = parseOk('x.txt', bytes('World\n', [0x93], 'Quoted', [0x94], ' costs ', [0x80], '5 ', [0x96], ' caf', [0xe9]));
    expect(article.title).toBe('“Quoted” costs €5 – café');
  });

  it('decodes UTF-16 with a byte order mark', () => {
    const text = 'World\nHéadline\nBody';
    const le = [0xff, 0xfe, ...[...text].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])];
    const be = [0xfe, 0xff, ...[...text].flatMap((c) => [c.charCodeAt(0) >> 8, c.charCodeAt(0) & 0xff])];
    expect(parseOk('x.txt', Uint8Array.from(le)).title).toBe('Héadline');
    expect(parseOk('x.txt', Uint8Array.from(be)).title).toBe('Héadline');
  });

  it('rejects a file with a NUL byte in the first 8 KiB as binary', () => {
    expect(parseReason('x.txt', bytes('World\nHeadline\n', [0]))).toBe('binary file (NUL byte in the first 8 KiB)');
    expect(parseReason('x.png.md', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe(
      'binary file (NUL byte in the first 8 KiB)',
    );
  });

  it('does not look for NUL bytes past the first 8 KiB', () => {
    const article = parseOk('x.txt', bytes('World\nHeadline\n', 'a'.repeat(9000), [0]));
    expect(article.title).toBe('Headline');
  });

  it('rejects a file over the size cap, in human units', () => {
    expect(parseReason('x.txt', new Uint8Array(1_048_577).fill(0x61))).toBe(
      'file is 1048577 bytes (1.0 MiB), over the 1 MiB cap',
    );
    expect(parseReason('x.txt', 'World\nHeadline\nBody', { maxBytes: 10 })).toBe(
      'file is 19 bytes, over the 10 bytes cap',
    );
  });

  it('accepts a file exactly at the cap', () => {
    const text = `World\nHeadline\n${'a'.repeat(100)}`;
    expect(parseOk('x.txt', text, { maxBytes: text.length }).title).toBe('Headline');
  });

  it('rejects empty and whitespace-only files', () => {
    expect(parseReason('x.txt', '')).toBe('empty file');
    expect(parseReason('x.md', ' \n\t\r\n\u00a0\ufeff ')).toBe('empty file');
    expect(parseReason('x.txt', bytes([0xef, 0xbb, 0xbf]))).toBe('empty file');
  });
});
