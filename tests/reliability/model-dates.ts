// The oracle's allowance for stable dates (README "Dates"). A server dates a file without
// front-matter dates by when it first saw the path, and an edit by when the content changed, both
// kept in its state; a fresh scan takes the current mtime for both. Which mtime the server saw
// first depends on when it happened to read the file (a create then an edit within one settle
// window is one read), so those dates cannot be predicted exactly. What can be checked: each such
// date is one of the modification times the path really had, published <= updated, and a file
// whose path only ever had one mtime (never edited nor touched) is dated exactly as a fresh scan
// dates it. Dates from front matter do not depend on history and must match the scan exactly.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArticleMeta as Article } from '../../src/article/types.ts';
import { articleFiles } from './model-compare.ts';

/** Every modification time each article path has had, rounded to the ms as the intake stamps them. */
export class DateHistory {
  readonly #stamps = new Map<string, Set<number>>();

  /** Adds the current mtime of every article file under `dir`; call after each change. */
  async record(dir: string): Promise<void> {
    for (const path of await articleFiles(dir)) {
      const info = await stat(join(dir, ...path.split('/'))).catch(() => undefined);
      if (!info) continue;
      const stamps = this.#stamps.get(path) ?? new Set<number>();
      stamps.add(Math.round(info.mtimeMs));
      this.#stamps.set(path, stamps);
    }
  }

  /**
   * Whether a server may serve `scanned` (a fresh scan's article) with these dates instead of
   * the scan's. A scan's publishedAt that is none of the path's mtimes came from the front matter
   * (or the file name) and must be served as it is; so must an updatedAt after publishedAt.
   */
  allows(scanned: Article, publishedAt: Date, updatedAt: Date): boolean {
    const stamps = this.#stamps.get(scanned.path) ?? new Set<number>();
    const published = publishedAt.getTime();
    const updated = updatedAt.getTime();
    if (Number.isNaN(published) || Number.isNaN(updated) || updated < published) return false;
    const fromHistory = stamps.has(scanned.publishedAt.getTime());
    if (!fromHistory && published !== scanned.publishedAt.getTime()) return false;
    if (fromHistory && !stamps.has(published)) return false;
    if (scanned.updatedAt.getTime() !== scanned.publishedAt.getTime()) return updated === scanned.updatedAt.getTime();
    return updated === published || stamps.has(updated);
  }
}
