// Bulk publishing: `POST /api/articles` takes many article files in one request, as NDJSON
// (one JSON object per line, each line ended by "\n"), and answers every line's outcome. NDJSON
// because every complete line is a whole file: a body cut off mid-way still yields the files
// before the cut, and the cut line is refused whole; it needs no multipart or tar parser on
// either runtime, and one line is read and checked on its own. Web APIs only (Node and Workers).
import { checkPublishPath, type PublishOutcome, type Publisher, type UploadedFile } from './contract.ts';

/** The caps a server advertises in its listing (`bulk`), so a client sizes its batches. */
export interface BulkLimits {
  /** Bytes of one request body. */
  maxBytes: number;
  /** Lines (files and deletes) of one request. */
  maxFiles: number;
}

export const DEFAULT_BULK_LIMITS: BulkLimits = { maxBytes: 8 * 1024 * 1024, maxFiles: 500 };
/** The media type of a bulk upload's body. */
export const NDJSON = 'application/x-ndjson';

/** One line's outcome: `line` counts from 1. */
export type BulkResult =
  | { line: number; path: string; change: 'created' | 'updated' | 'unchanged' | 'deleted' }
  | { line: number; path?: string; status: number; error: string };

export interface BulkAnswer {
  results: BulkResult[];
  /** The body ended inside a line (the upload was cut off): that line was not applied. */
  truncated: boolean;
}

type Line =
  | { kind: 'put'; line: number; file: UploadedFile }
  | { kind: 'delete'; line: number; path: string }
  | { kind: 'bad'; result: BulkResult };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Reads the body up to `maxBytes`: the bytes, whether the stream broke off, or 'over'. */
export async function readBulkBody(request: Request, maxBytes: number): Promise<{ bytes: Uint8Array; broken: boolean } | 'over'> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) return 'over';
  if (!request.body) return { bytes: new Uint8Array(0), broken: false };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let broken = false;
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>;
    try {
      chunk = await reader.read();
    } catch {
      // The client went away mid-upload: what came in whole is still applied.
      broken = true;
      break;
    }
    if (chunk.done) break;
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return 'over';
    }
    chunks.push(chunk.value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, broken };
}

/** The complete lines of `bytes` (each ended by "\n"; empty ones skipped) and whether a partial line trails. */
export function splitLines(bytes: Uint8Array): { lines: Uint8Array[]; partial: boolean } {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let end = bytes.indexOf(10); end !== -1; end = bytes.indexOf(10, start)) {
    if (end > start) lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return { lines, partial: start < bytes.length };
}

/** One line as a put, a delete, or the reason it is refused (a 400 or 413 of its own). */
function parseLine(raw: Uint8Array, line: number, maxFileBytes: number, parseMtime: (raw: string | undefined) => Date | undefined): Line {
  const bad = (status: number, error: string, path?: string): Line => ({ kind: 'bad', result: { line, ...(path === undefined ? {} : { path }), status, error } });
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(raw));
  } catch {
    return bad(400, 'line is not a JSON object in UTF-8');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad(400, 'line is not a JSON object');
  const { path, mtime, text, base64, delete: remove } = value as Record<string, unknown>;
  if (typeof path !== 'string') return bad(400, '"path" must be a string');
  // What a single PUT's URL could carry, once decoded: no percent-escapes left in the name.
  if (/%[0-9a-f]{2}/i.test(path)) return bad(400, 'path must not contain percent-escapes such as %20', path);
  const checked = checkPublishPath(path);
  if (!checked.ok) return bad(400, checked.reason, path);
  if (remove === true) return { kind: 'delete', line, path: checked.path };
  if (mtime !== undefined && typeof mtime !== 'string' && typeof mtime !== 'number') return bad(400, '"mtime" must be a string or a number', path);
  const time = parseMtime(mtime === undefined ? undefined : String(mtime));
  if (!time) return bad(400, '"mtime" must be an ISO 8601 date-time or epoch milliseconds, 1970 to 2199', path);
  let bytes: Uint8Array;
  if (typeof text === 'string' && base64 === undefined) bytes = encoder.encode(text);
  else if (typeof base64 === 'string' && text === undefined) {
    const decoded = fromBase64(base64);
    if (!decoded) return bad(400, '"base64" is not valid base64', path);
    bytes = decoded;
  } else return bad(400, 'give the file as "text" or "base64" (one of them), or "delete": true', path);
  if (bytes.byteLength > maxFileBytes) return bad(413, `file is over the ${maxFileBytes}-byte limit`, path);
  return { kind: 'put', line, file: { path: checked.path, bytes, mtime: time } };
}

function fromBase64(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const binary = atob(text);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export interface ApplyBulkOptions {
  publisher: Publisher;
  maxFileBytes: number;
  parseMtime: (raw: string | undefined) => Date | undefined;
}

/**
 * Applies the complete lines of a bulk body: puts through `publisher.putMany` (or `put` per
 * file), deletes through `remove`. A path on more than one line is refused on all of them (which
 * one was meant is not knowable, and the client never sends that).
 */
export async function applyBulk(body: { bytes: Uint8Array; broken: boolean }, options: ApplyBulkOptions): Promise<BulkAnswer> {
  const { publisher } = options;
  const { lines, partial } = splitLines(body.bytes);
  const parsed = lines.map((raw, index) => parseLine(raw, index + 1, options.maxFileBytes, options.parseMtime));
  const uses = new Map<string, number>();
  for (const entry of parsed) {
    const path = entry.kind === 'put' ? entry.file.path : entry.kind === 'delete' ? entry.path : undefined;
    if (path !== undefined) uses.set(path, (uses.get(path) ?? 0) + 1);
  }
  const results: BulkResult[] = [];
  const puts: { line: number; file: UploadedFile }[] = [];
  const deletes: { line: number; path: string }[] = [];
  for (const entry of parsed) {
    if (entry.kind === 'bad') results.push(entry.result);
    else {
      const path = entry.kind === 'put' ? entry.file.path : entry.path;
      if (uses.get(path)! > 1) results.push({ line: entry.line, path, status: 400, error: 'path is on more than one line of this batch: none of them applied' });
      else if (entry.kind === 'put') puts.push(entry);
      else deletes.push(entry);
    }
  }
  const outcomes = await putAll(publisher, puts.map((entry) => entry.file));
  puts.forEach(({ line, file }, index) => results.push(resultOf(line, file.path, outcomes[index]!)));
  for (const { line, path } of deletes) {
    results.push((await publisher.remove(path)) ? { line, path, change: 'deleted' } : { line, path, status: 404, error: 'no such file' });
  }
  if (partial) results.push({ line: lines.length + 1, status: 400, error: 'line cut off (no "\\n" at its end): not applied' });
  results.sort((a, b) => a.line - b.line);
  return { results, truncated: partial || body.broken };
}

async function putAll(publisher: Publisher, files: UploadedFile[]): Promise<PublishOutcome[]> {
  if (files.length === 0) return [];
  if (publisher.putMany) return publisher.putMany(files);
  const outcomes: PublishOutcome[] = [];
  for (const file of files) outcomes.push(await publisher.put(file.path, file.bytes, file.mtime));
  return outcomes;
}

function resultOf(line: number, path: string, outcome: PublishOutcome): BulkResult {
  return outcome.ok ? { line, path, change: outcome.change } : { line, path, status: outcome.status, error: outcome.reason };
}

/** `created 3, updated 1, …` for the API's log line. */
export function summarizeBulk(results: readonly BulkResult[]): string {
  const counts = new Map<string, number>();
  for (const result of results) {
    const key = 'change' in result ? result.change : 'refused';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => `${key} ${count}`).join(', ');
}
