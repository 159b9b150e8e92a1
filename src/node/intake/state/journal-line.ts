// One journal line: `<crc32 of the JSON, 8 hex digits> <JSON>\n`. The first line is the header
// (format version + fingerprint); every other line sets or deletes one record.
import * as zlib from 'node:zlib';
import type { FileRecord, StateOptions } from './types.ts';

export const FORMAT = 'wirefeed-state';
// 2: records hold no article bodies (the lean store reads them from the files).
// 3: records may hold `attribution` (front-matter source, licence, canonical).
export const FORMAT_VERSION = 3;

export type Fingerprint = StateOptions['fingerprint'];
export interface Header {
  format: string;
  version: number;
  fingerprint: Fingerprint;
}
export type Entry = { set: FileRecord } | { deleted: string };

const crc32: (data: Uint8Array) => number = pickCrc32();

// zlib.crc32 exists from Node 20.15; earlier 20.x releases get the table version.
function pickCrc32(): (data: Uint8Array) => number {
  const native: unknown = Reflect.get(zlib, 'crc32');
  if (typeof native === 'function') return (data) => native(data) as number;
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data) => {
    let crc = 0xffffffff;
    for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
}

/** A line (with its newline) for any JSON-safe value. */
export function encodeLine(value: unknown): Buffer {
  // The JSON is encoded once, straight into the line (no intermediate buffer to copy).
  const json = JSON.stringify(value);
  const line = Buffer.allocUnsafeSlow(Buffer.byteLength(json, 'utf8') + 10);
  line.write(json, 9, 'utf8');
  line.write(crc32(line.subarray(9, line.length - 1)).toString(16).padStart(8, '0'), 0, 'latin1');
  line[8] = 0x20;
  line[line.length - 1] = 0x0a;
  return line;
}

/** The journal line that sets `record`: what `PersistedState.set` appends. */
export function encodeRecordLine(record: FileRecord): Buffer {
  return encodeLine({ set: record });
}

/** The parsed JSON of a line (without its newline), or undefined if the checksum or JSON is bad. */
export function decodeLine(line: Buffer): { value: unknown } | undefined {
  if (line.length < 10 || line[8] !== 0x20) return undefined;
  const json = line.subarray(9);
  const expected = line.toString('latin1', 0, 8);
  if (!/^[0-9a-f]{8}$/.test(expected) || crc32(json).toString(16).padStart(8, '0') !== expected) return undefined;
  try {
    return { value: JSON.parse(json.toString('utf8')) };
  } catch {
    return undefined;
  }
}

export function makeHeader(fingerprint: Fingerprint): Header {
  return { format: FORMAT, version: FORMAT_VERSION, fingerprint: sortedFingerprint(fingerprint) };
}

function sortedFingerprint(fingerprint: Fingerprint): Fingerprint {
  return Object.fromEntries(Object.entries(fingerprint).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Why a decoded header cannot be used with `fingerprint`: 'corrupt' (not a header) or 'mismatch'. */
export function checkHeader(value: unknown, fingerprint: Fingerprint): { status: 'corrupt' | 'mismatch'; why: string } | undefined {
  if (typeof value !== 'object' || value === null) return { status: 'corrupt', why: 'no header line' };
  const header = value as Partial<Header>;
  if (header.format !== FORMAT || typeof header.fingerprint !== 'object' || header.fingerprint === null) {
    return { status: 'corrupt', why: 'no header line' };
  }
  if (header.version !== FORMAT_VERSION) {
    return { status: 'mismatch', why: `format version ${String(header.version)}, this wirefeed writes ${FORMAT_VERSION}` };
  }
  const differing = differingKeys(header.fingerprint, fingerprint);
  if (differing.length > 0) return { status: 'mismatch', why: `settings changed (${differing.join(', ')})` };
  return undefined;
}

function differingKeys(stored: Record<string, unknown>, current: Fingerprint): string[] {
  const keys = new Set([...Object.keys(stored), ...Object.keys(current)]);
  return [...keys].filter((key) => stored[key] !== current[key]).sort();
}

/** The entry a record line holds, or undefined when its JSON is not one. */
export function asEntry(value: unknown, isRecord: (v: unknown) => v is FileRecord): Entry | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('deleted' in value && typeof value.deleted === 'string') return { deleted: value.deleted };
  if ('set' in value && isRecord(value.set)) return { set: value.set };
  return undefined;
}
