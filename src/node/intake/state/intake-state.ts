// The intake's persisted index: what each article file gave when last read, kept in an
// append-only journal (`<dir>/journal`) so a restart does not have to re-read every file.
// Format (state-line.ts): `<crc32 hex> <json>\n` per line; the first line holds the format
// version and the fingerprint, every other line is `{"set":FileRecord}` or `{"deleted":path}`.
import { mkdir, open, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeHeader } from './journal-line.ts';
import { takeLock } from './lock.ts';
import { readJournal, type ReadOutcome } from './read-journal.ts';
import type { FileRecord, OpenedState, PersistedState, StateOptions } from './types.ts';
import { createJournalWriter, createMemoryOnlyWriter, type JournalWriter } from './journal-writer.ts';

export type { FileRecord, OpenedState, PersistedState, StateOptions, StoredArticle } from './types.ts';
export { fromStoredArticle, toStoredArticle } from './article-record.ts';

export const JOURNAL_FILE = 'journal';
const DEFAULTS = { batchMs: 150, batchRecords: 200, compactFloor: 1000 };

/**
 * Opens (or creates) the state folder. Never throws for filesystem trouble: an unusable folder
 * or one locked by another running process gives an in-memory state with status 'new'.
 *
 * @example
 * const { state, status } = await openState({ dir: '.wirefeed/state', fingerprint: { parser: 3, BASE_URL }, log: console.log });
 * if (status !== 'loaded') await fullScan(state);
 */
export async function openState(options: StateOptions): Promise<OpenedState> {
  const { dir, log } = options;
  const records = new Map<string, FileRecord>();
  const inMemory = (reason: string): OpenedState => {
    log(reason);
    return { state: createState(records, createMemoryOnlyWriter(), async () => {}), status: 'new', reason };
  };
  let lock;
  try {
    await mkdir(dir, { recursive: true });
    lock = await takeLock(dir);
  } catch (error) {
    return inMemory(`state: cannot use ${dir} (${errorCode(error)}): keeping the index in memory only`);
  }
  if (!lock.ok) return inMemory(`state: ${dir} is ${lock.why}: keeping the index in memory only`);
  try {
    return await openLocked(options, records, lock.release);
  } catch (error) {
    await lock.release().catch(() => {});
    records.clear();
    return inMemory(`state: cannot use ${dir} (${errorCode(error)}): keeping the index in memory only`);
  }
}

async function openLocked(options: StateOptions, records: Map<string, FileRecord>, release: () => Promise<void>): Promise<OpenedState> {
  const { dir, fingerprint, log } = options;
  const file = join(dir, JOURNAL_FILE);
  // Left by a rewrite that never finished; the journal itself is still whole.
  await unlink(`${file}.tmp`).catch(() => {});
  const outcome = await readJournalSafely(file, fingerprint);
  const writerOptions = { ...DEFAULTS, ...definedOnly(options), file, header: makeHeader(fingerprint), records, log };
  if (outcome.status !== 'loaded') {
    const reason =
      outcome.status === 'missing'
        ? `state: no index in ${dir} yet: a full scan builds it`
        : `state: ${file}: ${outcome.why}; starting over with a full scan`;
    log(reason);
    const writer = createJournalWriter({ ...writerOptions, handle: undefined, lines: 0 });
    return { state: createState(records, writer, release), status: outcome.status === 'missing' ? 'new' : outcome.status, reason };
  }
  if (outcome.torn) {
    log(`state: ${file}: dropped ${outcome.torn} (a write cut short); the rest is loaded`, 'warn');
    await truncate(file, outcome.goodBytes);
  }
  for (const [path, record] of outcome.records) records.set(path, record);
  const handle = await open(file, 'a');
  const writer = createJournalWriter({ ...writerOptions, handle, lines: outcome.lines });
  writer.compactIfBloated();
  return { state: createState(records, writer, release), status: 'loaded' };
}

/** An unreadable journal (EACCES, EISDIR...) counts as corrupt: the first flush replaces it. */
async function readJournalSafely(file: string, fingerprint: StateOptions['fingerprint']): Promise<ReadOutcome> {
  try {
    return await readJournal(file, fingerprint);
  } catch (error) {
    return { status: 'corrupt', why: `cannot read it (${errorCode(error)})` };
  }
}

function createState(records: Map<string, FileRecord>, writer: JournalWriter, release: () => Promise<void>): PersistedState {
  return {
    records,
    set(record, line) {
      records.set(record.path, record);
      writer.append({ set: record }, line);
    },
    delete(path) {
      if (records.delete(path)) writer.append({ deleted: path });
    },
    flush: () => writer.flush(),
    async close() {
      await writer.close();
      await release().catch(() => {});
    },
  };
}

function definedOnly({ batchMs, batchRecords, compactFloor }: StateOptions): Partial<typeof DEFAULTS> {
  return Object.fromEntries(Object.entries({ batchMs, batchRecords, compactFloor }).filter(([, v]) => v !== undefined));
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
