// Writing a whole journal (header + every live record) beside the current one and putting it in
// place atomically: temp file in the same folder, fsync, rename over, fsync the folder.
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeLine, type Header } from './journal-line.ts';
import type { FileRecord } from './types.ts';

/** Bytes gathered before each write; the event loop gets a turn between writes. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Writes all of `data` at the handle's position (a single write may stop short). */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/**
 * Writes `header` and one line per record to `tempFile` in chunks. Returns the still-open handle,
 * or undefined (temp file removed) if `stopped()` turned true on the way.
 */
export async function writeSnapshot(tempFile: string, header: Header, records: readonly FileRecord[], stopped: () => boolean): Promise<FileHandle | undefined> {
  const handle = await open(tempFile, 'w');
  try {
    let parts: Buffer[] = [encodeLine(header)];
    let bytes = 0;
    for (const record of records) {
      const line = encodeLine({ set: record });
      parts.push(line);
      bytes += line.length;
      if (bytes < CHUNK_BYTES) continue;
      await writeAll(handle, Buffer.concat(parts));
      parts = [];
      bytes = 0;
      if (stopped()) throw new SnapshotStopped();
    }
    await writeAll(handle, Buffer.concat(parts));
    return handle;
  } catch (error) {
    await discard(handle, tempFile);
    if (error instanceof SnapshotStopped) return undefined;
    throw error;
  }
}

class SnapshotStopped extends Error {
  override readonly name = 'SnapshotStopped';
}

/** Appends `extra` to the snapshot, syncs it and renames it over `file`. Closes `handle`. */
export async function installSnapshot(handle: FileHandle, tempFile: string, file: string, extra: readonly Buffer[]): Promise<void> {
  try {
    if (extra.length > 0) await writeAll(handle, Buffer.concat(extra));
    await handle.sync();
  } catch (error) {
    await discard(handle, tempFile);
    throw error;
  }
  await handle.close();
  await rename(tempFile, file);
  await syncFolder(dirname(file));
}

/** Closes and removes an unfinished temp file, ignoring errors. */
export async function discard(handle: FileHandle, tempFile: string): Promise<void> {
  await handle.close().catch(() => {});
  await unlink(tempFile).catch(() => {});
}

/** Makes a rename durable. Best effort: some systems cannot open a folder for syncing. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}
