// Articles dated in the future, soonest first: the memory driver's half of scheduled publishing.
import type { ArticleInput as Article } from './types.ts';
import { compareStrings, insertSorted, removeSorted } from './sorted.ts';

const byDueTime = (a: Article, b: Article): number =>
  a.publishedAt.getTime() - b.publishedAt.getTime() || compareStrings(a.path, b.path);

export class Schedule {
  readonly #byPath = new Map<string, Article>();
  readonly #queue: Article[] = [];

  get size(): number {
    return this.#byPath.size;
  }

  /** Schedules `article`, replacing any scheduled version of its path. */
  add(article: Article): void {
    this.delete(article.path);
    this.#byPath.set(article.path, article);
    insertSorted(this.#queue, article, byDueTime);
  }

  /** Unschedules `path`; true when it was scheduled. */
  delete(path: string): boolean {
    const article = this.#byPath.get(path);
    if (article === undefined) return false;
    this.#byPath.delete(path);
    removeSorted(this.#queue, article, byDueTime);
    return true;
  }

  /** Removes and returns the articles due at `time` (publishedAt <= time), soonest first. */
  takeDue(time: number): Article[] {
    let count = 0;
    while (count < this.#queue.length && this.#queue[count]!.publishedAt.getTime() <= time) count += 1;
    const due = this.#queue.splice(0, count);
    for (const article of due) this.#byPath.delete(article.path);
    return due;
  }

  /** When the soonest article is due, or null. */
  next(): Date | null {
    const first = this.#queue[0];
    return first ? new Date(first.publishedAt.getTime()) : null;
  }
}
