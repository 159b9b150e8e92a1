// The native engine: @parcel/watcher (inotify on Linux, FSEvents on macOS, ReadDirectoryChanges
// on Windows). One watch per folder, none per file, events delivered in batches, no re-listing.
import { createRequire } from 'node:module';
import { relative, sep, join } from 'node:path';
import type { AsyncSubscription, Event, SubscribeCallback } from '@parcel/watcher';
import type { WatchEngine, WatchSink, WatchSubscription } from './types.ts';

type ParcelWatcher = typeof import('@parcel/watcher');

/** Dot-names anywhere below the watched folder (the state folder among them) are never reported. */
const IGNORE = [/(^|[/\\])\./];

/** Loads the native module; throws when no binary exists for this platform. */
export function loadNativeWatcher(): ParcelWatcher {
  return createRequire(import.meta.url)('@parcel/watcher') as ParcelWatcher;
}

export function createNativeEngine(parcel: ParcelWatcher = loadNativeWatcher()): WatchEngine {
  return {
    name: 'native',
    async start(dir: string, sink: WatchSink): Promise<WatchSubscription> {
      const toPath = (file: string) => relative(dir, file).split(sep).join('/');
      // inotify watches a folder that appears, but not the folders already inside it (a folder
      // renamed in, `mkdir -p a/b/c`): each such folder gets a recursive subscription of its own,
      // dropped when it goes. Events reported twice are harmless: a read of an unchanged file
      // changes nothing.
      const extra = new Map<string, AsyncSubscription>();
      const drop = (folder: string) => {
        for (const [path, subscription] of extra) {
          if (path !== folder && !path.startsWith(`${folder}/`)) continue;
          extra.delete(path);
          void subscription.unsubscribe().catch(() => undefined);
        }
      };
      const onEvents: SubscribeCallback = (error, events: Event[]) => {
        if (error) return sink.resync(`native watcher: ${error.message}`);
        // @parcel/watcher coalesces a batch per path, and a path created (or renamed over) and
        // deleted within one batch comes out as nothing at all, though the file existed before:
        // the batch is then empty. Only a comparison can tell which file went.
        if (events.length === 0) return sink.resync('a batch of events cancelled out', true);
        for (const event of events) {
          const path = toPath(event.path);
          if (path.startsWith('..')) continue;
          if (event.type === 'delete') {
            drop(path);
            sink.deleted(path);
          } else sink.changed(path);
        }
      };
      const root = await parcel.subscribe(dir, onEvents, { ignore: IGNORE });
      return {
        async adopt(folder, subfolders) {
          if (subfolders.length === 0 || extra.has(folder)) return;
          const subscription = await parcel.subscribe(join(dir, ...folder.split('/')), onEvents, { ignore: IGNORE }).catch(() => undefined);
          if (subscription) extra.set(folder, subscription);
        },
        async close() {
          const all = [root, ...extra.values()];
          extra.clear();
          await Promise.all(all.map((subscription) => subscription.unsubscribe().catch(() => undefined)));
        },
      };
    },
  };
}
