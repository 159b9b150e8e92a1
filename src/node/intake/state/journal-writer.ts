// Appends set/delete lines to the journal in batches, one write at a time, and rewrites the
// journal (fresh start or compaction) beside it while appends carry on.
import type { LogLine } from '../../logger.ts';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { encodeLine, type Entry, type Header } from './journal-line.ts';
import { discard, installSnapshot, writeAll, writeSnapshot } from './rewrite-journal.ts';
import type { FileRecord } from './types.ts';

const BATCH_BYTES = 4 * 1024 * 1024;

export interface JournalWriterOptions {
  file: string;
  header: Header;
  /** The live records (the state's own map, read at rewrite time). */
  records: ReadonlyMap<string, FileRecord>;
  log: LogLine;
  /** Append handle of a trusted journal, or undefined: the first write starts a fresh one. */
  handle: FileHandle | undefined;
  /** Record lines already in that journal. */
  lines: number;
  batchMs: number;
  batchRecords: number;
  compactFloor: number;
}

export interface JournalWriter {
  append(entry: Entry, line?: Uint8Array): void;
  flush(): Promise<void>;
  /** Starts a background compaction if dead lines outnumber live ones (and the floor). */
  compactIfBloated(): void;
  close(): Promise<void>;
}

/** The writer behind a persisted state. Write errors are logged once, after which it does nothing. */
export function createJournalWriter(options: JournalWriterOptions): JournalWriter {
  const { file, header, records, log, batchMs, batchRecords, compactFloor } = options;
  const tempFile = `${file}.tmp`;
  let handle = options.handle;
  let lines = options.lines;
  let disabled = false;
  let closing = false;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** While a rewrite runs: every line since its snapshot, replayed onto the new file. */
  let tail: Buffer[] | undefined;
  let rewriting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();

  function fail(error: unknown): void {
    if (disabled) return;
    disabled = true;
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    log(`state: cannot write ${file} (${code}): keeping the index in memory only from now on`, 'warn');
    pending = [];
    tail = undefined;
    void handle?.close().catch(() => {});
    handle = undefined;
  }

  /** Runs `op` after every earlier one; errors disable the writer instead of reaching callers. */
  function enqueue(op: () => Promise<void>): Promise<void> {
    queue = queue.then(async () => {
      if (disabled) return;
      try {
        await op();
      } catch (error) {
        fail(error);
      }
    });
    return queue;
  }

  async function writePending(sync: boolean): Promise<void> {
    if (!handle) {
      startRewrite();
      return;
    }
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      await writeAll(handle, Buffer.concat(batch));
      lines += batch.length;
    }
    if (sync) await handle.datasync();
    compactIfBloated();
  }

  function kick(): void {
    clearTimeout(timer);
    timer = undefined;
    void enqueue(() => writePending(false));
  }

  function append(entry: Entry, encoded?: Uint8Array): void {
    if (disabled) return;
    const line = encoded ? Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength) : encodeLine(entry);
    tail?.push(line);
    // While a fresh journal is being written there is nowhere to append to: the tail has it all.
    if (!handle && tail) return;
    pending.push(line);
    pendingBytes += line.length;
    if (pending.length >= batchRecords || pendingBytes >= BATCH_BYTES) kick();
    else timer ??= setTimeout(kick, batchMs).unref();
  }

  function compactIfBloated(): void {
    if (closing) return;
    const dead = lines - records.size;
    if (dead > records.size && dead > compactFloor) startRewrite();
  }

  function startRewrite(): void {
    if (rewriting || disabled) return;
    rewriting = rewrite()
      .catch(fail)
      .finally(() => {
        rewriting = undefined;
      });
  }

  async function rewrite(): Promise<void> {
    const snapshot = [...records.values()];
    // Lines still pending are in the snapshot already: only what comes after it is replayed.
    tail = [];
    if (!handle) {
      pending = [];
      pendingBytes = 0;
    }
    const temp = await writeSnapshot(tempFile, header, snapshot, () => disabled);
    if (!temp) return;
    let installed = false;
    await enqueue(async () => {
      const rest = tail ?? [];
      tail = undefined;
      pending = [];
      pendingBytes = 0;
      await installSnapshot(temp, tempFile, file, rest);
      await handle?.close();
      handle = await open(file, 'a');
      lines = snapshot.length + rest.length;
      installed = true;
    });
    // The writer was disabled meanwhile (the queue skipped the swap): drop the temp file.
    if (!installed) await discard(temp, tempFile);
  }

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    await enqueue(() => writePending(true));
    // A fresh journal has nothing to append to until its rewrite is in place.
    if (!handle) await rewriting;
  }

  async function close(): Promise<void> {
    closing = true;
    await flush();
    while (rewriting) await rewriting;
    await flush();
    disabled = true;
    await handle?.close().catch(() => {});
    handle = undefined;
  }

  return { append, flush, compactIfBloated, close };
}

/** A writer for a state kept in memory only. */
export function createMemoryOnlyWriter(): JournalWriter {
  return { append() {}, flush: async () => {}, compactIfBloated() {}, close: async () => {} };
}
