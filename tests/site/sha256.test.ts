import { describe, expect, it } from 'vitest';
import { sha256, sha256Hex } from '../../src/site/sha256.ts';

const encoder = new TextEncoder();
// FIPS 180-2, appendix B.1, and the hash of no bytes at all.
const ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('sha256Hex', () => {
  it('gives the standard test vectors in lowercase hex', async () => {
    expect(await sha256Hex(encoder.encode('abc'))).toBe(ABC);
    expect(await sha256Hex(new Uint8Array())).toBe(EMPTY);
    // Bytes under 0x10 ("0b", "0a", "06" here) keep their leading zero.
    expect(await sha256Hex(new Uint8Array([0]))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  });

  it('keeps only the first `length` bytes when asked', async () => {
    expect(await sha256Hex(encoder.encode('abc'), 12)).toBe(ABC.slice(0, 24));
  });

  it('hashes a view by its own bytes, not the whole buffer under it', async () => {
    const buffer = encoder.encode('xxabcxx');
    expect(await sha256Hex(buffer.subarray(2, 5))).toBe(ABC);
  });
});

describe('sha256', () => {
  it('returns the 32 raw bytes that sha256Hex prints', async () => {
    const bytes = await sha256(encoder.encode('abc'));
    expect(bytes).toHaveLength(32);
    expect(Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')).toBe(ABC);
  });
});
