import { describe, expect, it } from 'vitest';
import { isNotModified, parseHttpDate } from '../../src/http/conditional.ts';

const validators = { etag: '"abc123"', lastModified: new Date('2025-03-16T12:00:00.500Z') };
const NOW = Date.parse('2025-06-01T00:00:00Z');
const check = (headers: Record<string, string>) => isNotModified(new Headers(headers), validators, NOW);

describe('isNotModified', () => {
  it('answers 304 for a matching entity tag, weak or strong, alone or in a list', () => {
    expect(check({ 'if-none-match': '"abc123"' })).toBe(true);
    expect(check({ 'if-none-match': 'W/"abc123"' })).toBe(true);
    expect(check({ 'if-none-match': '"x", "abc123"' })).toBe(true);
    expect(check({ 'if-none-match': '*' })).toBe(true);
  });

  it('answers in full for another tag or a malformed field', () => {
    expect(check({ 'if-none-match': '"other"' })).toBe(false);
    expect(check({ 'if-none-match': 'abc123' })).toBe(false);
    expect(check({ 'if-none-match': '"abc123' })).toBe(false);
  });

  it('lets If-None-Match decide over If-Modified-Since (RFC 9110 §13.2.2)', () => {
    const later = 'Sun, 01 Jun 2025 00:00:00 GMT';
    expect(check({ 'if-none-match': '"other"', 'if-modified-since': later })).toBe(false);
    expect(check({ 'if-modified-since': later })).toBe(true);
  });

  it('compares If-Modified-Since at one-second resolution', () => {
    expect(check({ 'if-modified-since': 'Sun, 16 Mar 2025 12:00:00 GMT' })).toBe(true);
    expect(check({ 'if-modified-since': 'Sun, 16 Mar 2025 11:59:59 GMT' })).toBe(false);
  });

  it('ignores invalid and future If-Modified-Since dates', () => {
    expect(check({ 'if-modified-since': 'yesterday' })).toBe(false);
    expect(check({ 'if-modified-since': '2025-03-17' })).toBe(false);
    expect(check({ 'if-modified-since': 'Tue, 01 Jan 2030 00:00:00 GMT' })).toBe(false);
  });
});

describe('parseHttpDate', () => {
  it('reads the three HTTP-date forms', () => {
    const expected = Date.parse('1994-11-06T08:49:37Z');
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(expected);
  });

  it('rejects what is not an HTTP-date', () => {
    expect(parseHttpDate('1')).toBeUndefined();
    expect(parseHttpDate('1994-11-06T08:49:37Z')).toBeUndefined();
  });
});
