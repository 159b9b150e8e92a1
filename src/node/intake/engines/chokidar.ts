// The pure-JavaScript engine: chokidar, for platforms where the native module cannot load, or on
// request (WATCHER=chokidar). It holds one fs.watch per file and lists a folder again on every
// event, so it costs more the larger the folder (README "Watch engines").
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { errorMessage } from '../../../errors.ts';
import { isIgnored } from '../walk.ts';
import type { WatchEngine, WatchSink, WatchSubscription } from './types.ts';

/** A path under the watched folder, relative and with POSIX separators. */
type ToPath = (file: string) => string;

/** The chokidar engine: starts a watcher per folder, reporting to the sink as the native engine does. */
export function createChokidarEngine(): WatchEngine {
  return {
    name: 'chokidar',
    async start(dir: string, sink: WatchSink): Promise<WatchSubscription> {
      const toPath: ToPath = (file) => relative(dir, file).split(sep).join('/');
      const watcher = watch(dir, chokidarOptions(toPath));
      /** Folders chokidar watches, as relative paths. */
      const folders = new Set<string>(['']);
      forwardEvents(watcher, toPath, folders, sink);
      forwardErrors(watcher, sink);
      await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
      for (const folder of Object.keys(watcher.getWatched())) folders.add(toPath(folder));
      return subscriptionOf(watcher, dir, folders);
    },
  };
}

/** What to watch: changes after start-up only, links not followed, the intake's ignore rule. */
function chokidarOptions(toPath: ToPath): ChokidarOptions {
  // No awaitWriteFinish: the intake's settle rule (settle.ts) holds back fresh files itself.
  return {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (file: string, stats?: Stats) => isIgnored(toPath(file), stats?.isFile()),
  };
}

/** Translates chokidar's events into the sink's changed and deleted, keeping `folders` current. */
function forwardEvents(watcher: FSWatcher, toPath: ToPath, folders: Set<string>, sink: WatchSink): void {
  watcher.on('add', (file: string) => sink.changed(toPath(file)));
  watcher.on('change', (file: string) => sink.changed(toPath(file)));
  watcher.on('unlink', (file: string) => sink.deleted(toPath(file)));
  watcher.on('addDir', (folder: string) => {
    folders.add(toPath(folder));
    sink.changed(toPath(folder));
  });
  watcher.on('unlinkDir', (folder: string) => {
    const path = toPath(folder);
    for (const known of folders) if (known === path || known.startsWith(`${path}/`)) folders.delete(known);
    sink.deleted(path);
  });
  // chokidar's own add/change events wait for it to list the whole folder again: over a
  // second in a flat folder of 10,000 files. The raw fs.watch event names the file at once.
  watcher.on('raw', (_event, name, details) => {
    const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (!name || !watched) return;
    const path = toPath(watched.endsWith(sep + name) ? watched : join(watched, name));
    if (!path.startsWith('..') && !isIgnored(path)) sink.changed(path);
  });
}

/** A chokidar error may have lost events: the sink compares the folder. */
function forwardErrors(watcher: FSWatcher, sink: WatchSink): void {
  // Without a listener an 'error' event would end the process.
  watcher.on('error', (error: unknown) => sink.resync(`chokidar: ${errorMessage(error)}`));
}

/** The running watcher as the change feed holds it: adopt folders it missed, close it. */
function subscriptionOf(watcher: FSWatcher, dir: string, folders: Set<string>): WatchSubscription {
  return {
    // chokidar reads a new folder, then watches it: a folder renamed into it in between is
    // never watched. Whatever the change feed found there and chokidar has not announced is
    // handed to it.
    async adopt(_folder, subfolders) {
      for (const sub of subfolders) {
        if (folders.has(sub) || watcher.closed) continue;
        folders.add(sub);
        watcher.add(join(dir, ...sub.split('/')));
      }
    },
    close: () => watcher.close(),
  };
}
