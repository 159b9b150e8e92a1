import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../src/publish/retry.ts';

describe('backoffDelay', () => {
  it('doubles the step per retry and waits half of it plus a random share of the other half', () => {
    expect(backoffDelay(500, 0, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(500, 0, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(500, 1, 30_000, () => 0.5)).toBe(750);
    expect(backoffDelay(500, 3, 30_000, () => 0.25)).toBe(2500);
  });

  it('caps the step at maxMs, so the wait never exceeds it', () => {
    expect(backoffDelay(1000, 10, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(1000, 10, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(500, 20, 30_000, () => 0.5)).toBe(22_500);
  });

  it('uses Math.random when no random is given', () => {
    for (let i = 0; i < 20; i++) {
      const wait = backoffDelay(1000, 2, 60_000);
      expect(wait).toBeGreaterThanOrEqual(2000);
      expect(wait).toBeLessThanOrEqual(4000);
    }
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('0', now)).toBe(0);
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(' 7 ', now)).toBe(7000);
  });

  it('reads an HTTP-date as the time left until it, never below 0', () => {
    expect(retryAfterMs('Fri, 01 May 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 01 May 2026 11:59:00 GMT', now)).toBe(0);
  });

  it('caps a long wait at a minute', () => {
    expect(retryAfterMs('3600', now)).toBe(60_000);
    expect(retryAfterMs('Sat, 02 May 2026 12:00:00 GMT', now)).toBe(60_000);
  });

  it('is undefined when the header is missing, empty or unreadable', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
