// Plain article data (objects, arrays, strings, numbers, Dates): deep-frozen copies and equality.

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * A deep copy that the caller cannot change: objects and arrays frozen, Dates copied,
 * keys holding `undefined` dropped (so `{ image: undefined }` equals no `image`).
 */
export function frozenCopy<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  // One frozen empty array for all: most articles have no tags or authors, and 100,000 empty
  // arrays of their own cost 12 MB.
  if (Array.isArray(value)) return (value.length === 0 ? EMPTY : Object.freeze(value.map(frozenCopy))) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) copy[key] = frozenCopy(item);
    }
    return Object.freeze(copy) as T;
  }
  return value;
}

/** Structural equality: Dates by `getTime()`, arrays in order, missing keys equal `undefined`. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && Object.is(a.getTime(), b.getTime());
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => deepEqual(item, b[index]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = definedKeys(a);
  return keys.length === definedKeys(b).length && keys.every((key) => deepEqual(a[key], b[key]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

function definedKeys(value: Record<string, unknown>): string[] {
  return Object.keys(value).filter((key) => value[key] !== undefined);
}
