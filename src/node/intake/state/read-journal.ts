// Loads a journal by streaming it a few MB at a time: it may be far larger than the biggest
// string V8 allows, so lines are split on the bytes and only each line is decoded.
import { open, type FileHandle } from 'node:fs/promises';
import { isFileRecord } from './article-record.ts';
import { asEntry, checkHeader, decodeLine, type Fingerprint } from './journal-line.ts';
import type { FileRecord } from './types.ts';

const CHUNK_BYTES = 4 * 1024 * 1024;

export type ReadOutcome =
  | {
      status: 'loaded';
      records: Map<string, FileRecord>;
      /** Record lines kept (live or superseded), header excluded. */
      lines: number;
      /** Where the last good line ends: anything after it is a torn write to cut off. */
      goodBytes: number;
      /** Set when a torn last line was dropped: what it was. */
      torn?: string;
    }
  | { status: 'missing' }
  | { status: 'mismatch' | 'corrupt'; why: string };

type Failure = { status: 'mismatch' | 'corrupt'; why: string };

/** The records of the journal at `file`, checked line by line against `fingerprint`. */
export async function readJournal(file: string, fingerprint: Fingerprint): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'missing' };
    throw error;
  }
  try {
    return await scanLines(handle, fingerprint);
  } finally {
    await handle.close();
  }
}

/** Line-by-line state of a load: the first bad line is only fatal if anything follows it. */
function createScan(fingerprint: Fingerprint) {
  const records = new Map<string, FileRecord>();
  let headerSeen = false;
  let lines = 0;
  let goodBytes = 0;
  let badLine: number | undefined;
  let lineNumber = 0;

  function take(line: Buffer, end: number): Failure | undefined {
    lineNumber += 1;
    if (badLine !== undefined) return { status: 'corrupt', why: `line ${badLine} is damaged and more lines follow it` };
    const decoded = decodeLine(line);
    if (decoded === undefined) {
      badLine = lineNumber;
      return undefined;
    }
    if (!headerSeen) {
      const problem = checkHeader(decoded.value, fingerprint);
      if (problem) return { status: problem.status, why: problem.why };
      headerSeen = true;
    } else {
      const entry = asEntry(decoded.value, isFileRecord);
      if (!entry) return { status: 'corrupt', why: `line ${lineNumber} has a good checksum but is not a record` };
      if ('set' in entry) records.set(entry.set.path, entry.set);
      else records.delete(entry.deleted);
      lines += 1;
    }
    goodBytes = end;
    return undefined;
  }

  function finish(leftover: number, fileBytes: number): ReadOutcome {
    if (fileBytes === 0) return { status: 'corrupt', why: 'the file is empty' };
    if (badLine !== undefined && leftover > 0) return { status: 'corrupt', why: `line ${badLine} is damaged and more bytes follow it` };
    if (!headerSeen) return { status: 'corrupt', why: 'no header line' };
    const torn = leftover > 0 ? 'an unfinished last line' : badLine !== undefined ? 'a last line with a bad checksum' : undefined;
    return { status: 'loaded', records, lines, goodBytes, ...(torn ? { torn } : {}) };
  }

  return { take, finish };
}

async function scanLines(handle: FileHandle, fingerprint: Fingerprint): Promise<ReadOutcome> {
  const scan = createScan(fingerprint);
  // One buffer: the unfinished line of the last read is moved to its start and the next read
  // lands right after it, so nothing is concatenated; a line longer than the buffer grows it.
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let carried = 0;
  let position = 0;
  for (;;) {
    if (buffer.length - carried < CHUNK_BYTES / 2) {
      const larger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(larger, 0, 0, carried);
      buffer = larger;
    }
    const { bytesRead } = await handle.read(buffer, carried, buffer.length - carried, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const filled = carried + bytesRead;
    const dataStart = position - filled;
    let start = 0;
    for (let newline = buffer.indexOf(0x0a); newline !== -1 && newline < filled; newline = buffer.indexOf(0x0a, start)) {
      const failure = scan.take(buffer.subarray(start, newline), dataStart + newline + 1);
      if (failure) return failure;
      start = newline + 1;
    }
    buffer.copy(buffer, 0, start, filled);
    carried = filled - start;
  }
  return scan.finish(carried, position);
}
