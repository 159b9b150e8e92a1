// WATCHER=auto|native|chokidar: which engine watches the folder, and the reason, for the log.
import { ConfigError } from '../../errors.ts';
import { createChokidarEngine } from './engines/chokidar.ts';
import { createNativeEngine, loadNativeWatcher } from './engines/native.ts';
import type { WatchEngine } from './engines/types.ts';

export const WATCHER_CHOICES = ['auto', 'native', 'chokidar'] as const;
export type WatcherChoice = (typeof WATCHER_CHOICES)[number];

export interface ChosenEngine {
  engine: WatchEngine;
  /** Why this engine, for the start-up line. */
  reason: string;
}

/** The engine for `choice`; `auto` takes the native one when its module loads. */
export function chooseEngine(choice: WatcherChoice, load = loadNativeWatcher): ChosenEngine {
  if (choice === 'chokidar') return { engine: createChokidarEngine(), reason: 'WATCHER=chokidar' };
  try {
    const engine = createNativeEngine(load());
    return { engine, reason: choice === 'native' ? 'WATCHER=native' : 'WATCHER=auto, native module loaded' };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (choice === 'native') {
      throw new ConfigError(`WATCHER=native but @parcel/watcher does not load here (${reason}): use WATCHER=auto or WATCHER=chokidar`);
    }
    return { engine: createChokidarEngine(), reason: `WATCHER=auto, native module does not load here (${reason})` };
  }
}
