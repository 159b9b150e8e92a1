// Sorted arrays kept in order one item at a time: a binary search, then one splice.
// Never a full re-sort, so a put or remove stays cheap however many articles there are.

/** Negative when `a` comes first, positive when `b` does. Must be a total order over the items. */
export type Compare<T> = (a: T, b: T) => number;

/** Compares strings by UTF-16 code units (plain `<`), the same on every runtime and locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first item that does not come before `item`. */
export function lowerBound<T>(items: readonly T[], item: T, compare: Compare<T>): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(items[mid] as T, item) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Inserts `item` at its place and returns its index. */
export function insertSorted<T>(items: T[], item: T, compare: Compare<T>): number {
  const last = items.at(-1);
  // Appending is the common case when a folder is loaded in order: one comparison, no search.
  if (last === undefined || compare(last, item) <= 0) {
    items.push(item);
    return items.length - 1;
  }
  const index = lowerBound(items, item, compare);
  items.splice(index, 0, item);
  return index;
}

/** Removes `item` (by identity) and returns the index it had, or -1 when it was not there. */
export function removeSorted<T>(items: T[], item: T, compare: Compare<T>): number {
  for (let index = lowerBound(items, item, compare); index < items.length; index++) {
    const candidate = items[index] as T;
    if (candidate === item) {
      items.splice(index, 1);
      return index;
    }
    if (compare(candidate, item) !== 0) break;
  }
  return -1;
}

/** Largest chunk before it splits in two: few chunks, yet cheap splices within one. */
const MAX_CHUNK = 1024;

/**
 * A sorted collection for many items: a list of sorted chunks. Adding or removing costs two
 * binary searches and a splice of at most MAX_CHUNK items, so arrival order does not matter
 * (one flat array would move half its items on every insert). `compare` must be a total order.
 */
export class SortedList<T> implements Iterable<T> {
  readonly #chunks: T[][] = [];
  readonly #compare: Compare<T>;
  #size = 0;

  constructor(compare: Compare<T>) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#size;
  }

  add(item: T): void {
    if (this.#chunks.length === 0) {
      this.#chunks.push([item]);
      this.#size = 1;
      return;
    }
    const index = this.#chunkFor(item);
    const chunk = this.#chunks[index] as T[];
    insertSorted(chunk, item, this.#compare);
    this.#size += 1;
    if (chunk.length > MAX_CHUNK) this.#chunks.splice(index + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
  }

  /** Removes `item` (by identity); returns whether it was there. */
  delete(item: T): boolean {
    if (this.#chunks.length === 0) return false;
    const index = this.#chunkFor(item);
    const chunk = this.#chunks[index] as T[];
    if (removeSorted(chunk, item, this.#compare) === -1) return false;
    this.#size -= 1;
    if (chunk.length === 0) this.#chunks.splice(index, 1);
    return true;
  }

  /** Items from position `start` up to (not including) `end`, like `Array.prototype.slice`. */
  slice(start: number, end: number): T[] {
    const items: T[] = [];
    let offset = 0;
    for (const chunk of this.#chunks) {
      if (offset >= end) break;
      if (offset + chunk.length > start) {
        items.push(...chunk.slice(Math.max(0, start - offset), end - offset));
      }
      offset += chunk.length;
    }
    return items;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this.#chunks) yield* chunk;
  }

  /** The first chunk whose last item does not come before `item`, else the last chunk. */
  #chunkFor(item: T): number {
    let low = 0;
    let high = this.#chunks.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#compare((this.#chunks[mid] as T[]).at(-1) as T, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
