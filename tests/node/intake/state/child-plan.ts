// The endless operation sequence the SIGKILL test's child performs, and what any prefix of it leaves.
import type { FileRecord } from '../../../../src/node/intake/state/intake-state.ts';
import { makeRecord } from './records.ts';

export { makeRecord };
/** Distinct paths the child writes to, so later writes overwrite earlier ones and compaction has work. */
export const PATHS = 300;
export const HTML_BYTES = 8000;

export type Op = { set: FileRecord } | { deleted: string };

/** Operation `k`: mostly a set of record `k` (its `size` is `k`); every 97th deletes the path set 50 operations earlier. */
export function opAt(k: number): Op {
  if (k % 97 === 96) return { deleted: makeRecord(k - 50, { paths: PATHS }).path };
  return { set: makeRecord(k, { paths: PATHS, htmlBytes: HTML_BYTES }) };
}

/** The records after operations 0..count-1. */
export function recordsAfter(count: number): Map<string, FileRecord> {
  const records = new Map<string, FileRecord>();
  for (let k = 0; k < count; k++) {
    const op = opAt(k);
    if ('set' in op) records.set(op.set.path, op.set);
    else records.delete(op.deleted);
  }
  return records;
}
