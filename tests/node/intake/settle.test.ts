// The settle rule on its own: how long a file's modification time holds back its read.
import { describe, expect, it } from 'vitest';
import { settleDelay } from '../../../src/node/intake/settle.ts';

describe('settleDelay', () => {
  it('waits out the rest of the window for a recent file and not at all for an old one', () => {
    expect(settleDelay(10_000, 300, 10_100)).toBe(200);
    expect(settleDelay(10_000, 300, 10_300)).toBe(0);
  });

  // Found by tests/reliability/watcher-model.test.ts (WATCHER=chokidar, FC_SEED=513050729): a file
  // read the instant it was written has an mtime with a fraction (1000.4 ms) past Date.now()'s
  // whole millisecond (1000), which counted as "in the future", so the first part of a slow write
  // was read at once, half-written (and first seen at that part's time).
  it('holds back a file modified within the last millisecond, whose mtime is a fraction past now', () => {
    expect(settleDelay(1000.4, 300, 1000)).toBe(301);
  });

  it('reads at once a file dated well in the future (clock skew), where waiting could take forever', () => {
    expect(settleDelay(50_000, 300, 10_000)).toBe(0);
  });
});
