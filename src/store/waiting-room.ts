// Articles refused because another path publishes their id, kept until that id frees up.
import type { ArticleInput as Article } from './types.ts';

export class WaitingRoom {
  readonly #byPath = new Map<string, Article>();
  readonly #pathsById = new Map<string, Set<string>>();

  /** Keeps `article` as its path's waiting version, replacing an older one. */
  add(article: Article): void {
    this.delete(article.path);
    this.#byPath.set(article.path, article);
    const paths = this.#pathsById.get(article.id);
    if (paths === undefined) this.#pathsById.set(article.id, new Set([article.path]));
    else paths.add(article.path);
  }

  /** Drops the waiting version of `path`; returns whether there was one. */
  delete(path: string): boolean {
    const article = this.#byPath.get(path);
    if (article === undefined) return false;
    this.#byPath.delete(path);
    const paths = this.#pathsById.get(article.id);
    paths?.delete(path);
    if (paths?.size === 0) this.#pathsById.delete(article.id);
    return true;
  }

  /** The article waiting for `id` whose path sorts first (plain `<`), for a fixed promotion. */
  first(id: string): Article | undefined {
    let first: string | undefined;
    for (const path of this.#pathsById.get(id) ?? []) {
      if (first === undefined || path < first) first = path;
    }
    return first === undefined ? undefined : this.#byPath.get(first);
  }

  /** Paths still waiting for `id`. */
  paths(id: string): string[] {
    return [...(this.#pathsById.get(id) ?? [])];
  }
}
