// Wakes up when a scheduled article falls due, so it is logged and announced to WebSub hubs
// at its time. Serving needs no timer: the store publishes due articles on every read.
import type { LogLine } from '../logger.ts';
import type { FeedStore } from '../../store/types.ts';

export interface SchedulerOptions {
  store: FeedStore;
  /** Sections that gained articles when their time came. */
  onDue: (sections: string[]) => void;
  log: LogLine;
  now?: () => number;
}

export interface Scheduler {
  /** An article at `path` was scheduled: watch for it going live. */
  add(path: string): void;
  /** The file at `path` changed or went away: stop watching it (add it again if still scheduled). */
  forget(path: string): void;
  close(): void;
}

// setTimeout takes at most 2^31-1 ms (about 24.8 days); later dates are re-checked then.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Starts waking up for scheduled articles. */
export function startScheduler({ store, onDue, log, now = Date.now }: SchedulerOptions): Scheduler {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  async function arm(): Promise<void> {
    const next = await store.nextScheduledAt();
    clearTimeout(timer);
    if (closed || next === null) return;
    timer = setTimeout(() => void fire().catch((error: unknown) => log(`scheduler failed: ${String(error)}`, 'error')), Math.min(MAX_DELAY_MS, Math.max(0, next.getTime() - now())));
  }

  async function fire(): Promise<void> {
    const sections = new Set<string>();
    for (const path of pending) {
      const article = await store.get(path);
      if (!article) continue;
      pending.delete(path);
      sections.add(article.sectionSlug);
      log(`published ${path} (scheduled for ${article.publishedAt.toISOString()})`);
    }
    if (sections.size > 0) onDue([...sections]);
    await arm();
  }

  const rearm = () => void arm().catch((error: unknown) => log(`scheduler failed: ${String(error)}`, 'error'));
  rearm();
  return {
    add(path) {
      pending.add(path);
      rearm();
    },
    forget(path) {
      pending.delete(path);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
