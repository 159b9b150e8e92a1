// Page slugs, unique within a section: among articles sharing a base slug, the one published
// first keeps it bare and the others get `<slug>-<6 hex chars of a hash of their path>`.
import { compareStrings, insertSorted, removeSorted, type Compare } from './sorted.ts';

const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`. Pure JS, so every runtime and driver agrees. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/** Six hex chars from the path: its 32-bit FNV-1a hash xor-folded to 24 bits, as FNV advises. */
export function slugSuffix(path: string): string {
  const hash = fnv1a32(path);
  return ((hash >>> 24) ^ (hash & 0xffffff)).toString(16).padStart(6, '0');
}

/** The slug an article gets when an earlier article in its section already has its base slug. */
export function suffixedSlug(slug: string, path: string): string {
  return `${slug}-${slugSuffix(path)}`;
}

/** What the slug index needs of an article. `slug` is written by the index. */
export interface SlugEntry {
  readonly path: string;
  /** `publishedAt` in epoch milliseconds. */
  readonly published: number;
  /** The article's own slug, before collision handling. */
  readonly base: string;
  slug: string;
}

/** Oldest first: publishedAt ascending, then path ascending. The first one keeps the bare slug. */
export const oldestFirst: Compare<SlugEntry> = (a, b) =>
  a.published - b.published || compareStrings(a.path, b.path);

/**
 * One section's slugs. Adding or removing an article changes at most one other article's slug
 * (the bare slug moving to or from it), so each change is a couple of binary-search splices.
 */
export class SlugIndex<E extends SlugEntry> {
  /** Base slug -> its articles, oldest first. */
  readonly #groups = new Map<string, E[]>();
  /**
   * Resolved slug -> articles holding it, oldest first. Nearly always one; two only when a
   * suffixed slug equals another article's own slug (or two paths share a 24-bit hash), and
   * then the oldest one answers `find`.
   */
  readonly #holders = new Map<string, E[]>();

  add(entry: E): void {
    const group = this.#groups.get(entry.base);
    if (group === undefined) {
      this.#groups.set(entry.base, [entry]);
      this.#assign(entry, entry.base);
      return;
    }
    if (insertSorted(group, entry, oldestFirst) === 0) {
      this.#assign(group[1] as E, suffixedSlug(entry.base, (group[1] as E).path));
      this.#assign(entry, entry.base);
    } else {
      this.#assign(entry, suffixedSlug(entry.base, entry.path));
    }
  }

  delete(entry: E): void {
    const group = this.#groups.get(entry.base);
    if (group === undefined) return;
    const index = removeSorted(group, entry, oldestFirst);
    if (index === -1) return;
    this.#release(entry);
    if (group.length === 0) this.#groups.delete(entry.base);
    else if (index === 0) this.#assign(group[0] as E, entry.base);
  }

  find(slug: string): E | undefined {
    return this.#holders.get(slug)?.[0];
  }

  #assign(entry: E, slug: string): void {
    if (entry.slug === slug && this.#holders.get(slug)?.includes(entry)) return;
    this.#release(entry);
    entry.slug = slug;
    const holders = this.#holders.get(slug);
    if (holders === undefined) this.#holders.set(slug, [entry]);
    else insertSorted(holders, entry, oldestFirst);
  }

  #release(entry: E): void {
    const holders = this.#holders.get(entry.slug);
    if (holders === undefined) return;
    removeSorted(holders, entry, oldestFirst);
    if (holders.length === 0) this.#holders.delete(entry.slug);
  }
}
