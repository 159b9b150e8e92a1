// How many articles spell a name each way, and which spelling leads: a section's or a term's
// display name is the spelling most of its articles use (on a tie, the one sorting first).
import { compareStrings } from './sorted.ts';

export class Spellings {
  /** Spelling -> how many articles use it. */
  readonly #counts = new Map<string, number>();
  #leader = '';

  /** The spelling most articles use; on a tie, the one sorting first. */
  get leader(): string {
    return this.#leader;
  }

  count(spelling: string, delta: 1 | -1): void {
    const count = (this.#counts.get(spelling) ?? 0) + delta;
    if (count > 0) this.#counts.set(spelling, count);
    else this.#counts.delete(spelling);

    if (delta === 1) {
      const leaderCount = this.#counts.get(this.#leader) ?? 0;
      if (spelling !== this.#leader && isBetterName(spelling, count, this.#leader, leaderCount)) this.#leader = spelling;
    } else if (spelling === this.#leader) {
      // The leader lost one: any spelling may lead now. There are only a few per name.
      this.#leader = '';
      let best = 0;
      for (const [candidate, candidateCount] of this.#counts) {
        if (isBetterName(candidate, candidateCount, this.#leader, best)) {
          this.#leader = candidate;
          best = candidateCount;
        }
      }
    }
  }
}

function isBetterName(name: string, count: number, leader: string, leaderCount: number): boolean {
  return count > leaderCount || (count === leaderCount && compareStrings(name, leader) < 0);
}
