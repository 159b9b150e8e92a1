import { describe, expect, it } from 'vitest';
import {
  compareStrings,
  insertSorted,
  lowerBound,
  removeSorted,
  SortedList,
} from '../../src/store/sorted.ts';

interface CountingCompare {
  compare: (a: number, b: number) => number;
  calls: () => number;
  reset: () => void;
}

/** A numeric comparator that counts its calls. */
function counting(): CountingCompare {
  let count = 0;
  return {
    compare: (a, b) => {
      count += 1;
      return a - b;
    },
    calls: () => count,
    reset: () => {
      count = 0;
    },
  };
}

describe('insertSorted and removeSorted', () => {
  it('keep an array sorted through scrambled inserts and removes', () => {
    const items: number[] = [];
    for (let i = 0; i < 1000; i++) insertSorted(items, (i * 389) % 1000, (a, b) => a - b);
    expect(items).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(removeSorted(items, 500, (a, b) => a - b)).toBe(500);
    expect(removeSorted(items, 500, (a, b) => a - b)).toBe(-1);
    expect(items).toHaveLength(999);
    expect(items[500]).toBe(501);
  });

  it('find the place in a 100,000-item array with about log2(n) comparisons', () => {
    const counter = counting();
    const items: number[] = [];
    for (let i = 0; i < 100_000; i++) insertSorted(items, i * 2, counter.compare);
    counter.reset();
    expect(insertSorted(items, 77_777, counter.compare)).toBe(38_889);
    expect(counter.calls()).toBeLessThanOrEqual(19);
    counter.reset();
    expect(removeSorted(items, 77_777, counter.compare)).toBe(38_889);
    expect(counter.calls()).toBeLessThanOrEqual(19);
  });

  it('append in one comparison when items arrive in order', () => {
    const counter = counting();
    const items = [1, 2, 3];
    insertSorted(items, 4, counter.compare);
    expect(counter.calls()).toBe(1);
  });

  it('remove by identity among equal items', () => {
    const a = { key: 1 };
    const b = { key: 1 };
    const items = [a, b];
    const byKey = (x: { key: number }, y: { key: number }) => x.key - y.key;
    expect(removeSorted(items, b, byKey)).toBe(1);
    expect(items).toEqual([a]);
    expect(items[0]).toBe(a);
    expect(lowerBound(items, { key: 2 }, byKey)).toBe(1);
  });

  it('compare strings by code units, not locale', () => {
    expect(['b', 'a', 'B', 'é', 'e'].sort(compareStrings)).toEqual(['B', 'a', 'b', 'e', 'é']);
  });
});

describe('SortedList', () => {
  it('keeps many items sorted whatever order they arrive in', () => {
    const ascending = (i: number): number => i;
    const descending = (i: number): number => 9_999 - i;
    const scrambled = (i: number): number => (i * 3_571) % 10_000;
    const orders = [ascending, descending, scrambled];
    for (const order of orders) {
      const list = new SortedList<number>((a, b) => a - b);
      for (let i = 0; i < 10_000; i++) list.add(order(i));
      expect(list.size).toBe(10_000);
      expect([...list]).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    }
  });

  it('slices across chunk boundaries like an array', () => {
    const list = new SortedList<number>((a, b) => a - b);
    const array = Array.from({ length: 5_000 }, (_, i) => i);
    for (const item of array) list.add(item);
    const ranges = [
      [0, 0],
      [0, 10],
      [1_020, 1_030],
      [1_000, 4_000],
      [4_990, 6_000],
      [6_000, 7_000],
    ];
    for (const [start = 0, end = 0] of ranges) {
      expect(list.slice(start, end)).toEqual(array.slice(start, end));
    }
  });

  it('deletes by identity and drops emptied chunks', () => {
    const list = new SortedList<number>((a, b) => a - b);
    for (let i = 0; i < 3_000; i++) list.add(i);
    for (let i = 0; i < 3_000; i += 2) expect(list.delete(i)).toBe(true);
    expect(list.delete(0)).toBe(false);
    expect(list.size).toBe(1_500);
    expect(list.slice(0, 3)).toEqual([1, 3, 5]);
    for (let i = 1; i < 3_000; i += 2) list.delete(i);
    expect(list.size).toBe(0);
    expect([...list]).toEqual([]);
    list.add(7);
    expect([...list]).toEqual([7]);
  });

  it('adds or deletes one of 100,000 items with about log2(n) comparisons', () => {
    const counter = counting();
    const list = new SortedList<number>(counter.compare);
    for (let i = 0; i < 100_000; i++) list.add((i * 37_813) % 100_000 * 2);
    counter.reset();
    list.add(77_777);
    // log2(100,000) is about 17; chunk search plus in-chunk search may take a couple more.
    expect(counter.calls()).toBeLessThanOrEqual(22);
    counter.reset();
    expect(list.delete(77_777)).toBe(true);
    expect(counter.calls()).toBeLessThanOrEqual(22);
    expect(list.slice(38_888, 38_890)).toEqual([77_776, 77_778]);
  });
});
