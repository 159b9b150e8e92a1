// `wirefeed publish`'s batch sender: puts and deletes gathered into NDJSON bodies for
// POST /api/articles (src/publish/bulk.ts) within the server's advertised caps, `concurrency`
// batches in flight. A server without caps, or a file too big for any batch, gets a single request.
import type { BulkAnswer, BulkLimits, BulkResult } from '../../publish/bulk.ts';
import { isFatal, messageOf, reasonOf, type PublishClient } from './client.ts';
import type { LocalFile } from './local-file.ts';
import type { Outcome, SyncOptions } from './types.ts';

/** Room kept under the server's byte cap for a batch. */
const BYTE_MARGIN = 4096;

export interface BatchOptions {
  options: SyncOptions;
  client: PublishClient;
  /** The server's caps; undefined: every change is a single request. */
  limits: BulkLimits | undefined;
  /** Paths the server has, as far as this run knows: kept current as answers come back. */
  onServer: Set<string>;
  /** A single PUT (with `local`) or DELETE (without). */
  push(path: string, local?: LocalFile): Promise<Outcome>;
  /** Takes each file's outcome. */
  count(outcome: Outcome): void;
}

/** What `createBatches` returns. */
export interface Batches {
  /** Queues one put (with `local`) or delete (without); may wait for room among the batches in flight. */
  send(path: string, local?: LocalFile): Promise<void>;
  /** Sends the batch being gathered; throws once a batch met a refused token or an interrupt. */
  flush(): Promise<void>;
  /** Resolves once every batch in flight has been answered. */
  drain(): Promise<void>;
  /** Throws the refused token or the interrupt a batch met, if one did. */
  throwIfFatal(): void;
}

type Entry = { path: string; kind: 'put' | 'delete' };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One NDJSON line for `path`: its text when it is UTF-8, else base64. */
export function bulkLine(path: string, local?: LocalFile): string {
  if (!local) return `${JSON.stringify({ path, delete: true })}\n`;
  let content: { text: string } | { base64: string };
  try {
    content = { text: decoder.decode(local.bytes) };
  } catch {
    content = { base64: Buffer.from(local.bytes).toString('base64') };
  }
  return `${JSON.stringify({ path, mtime: local.mtime.toISOString(), ...content })}\n`;
}

/** A batch sender for one sync pass. */
export function createBatches({ options, client, limits, onServer, push, count }: BatchOptions): Batches {
  const { concurrency = 4, signal } = options;
  const maxFiles = Math.max(1, Math.min(limits?.maxFiles ?? 1, options.batchFiles ?? Infinity));
  const maxBytes = (limits?.maxBytes ?? 0) - BYTE_MARGIN;
  let fatal: unknown;
  const inFlight = new Set<Promise<void>>();
  let lines: string[] = [];
  let entries: Entry[] = [];
  let bytes = 0;

  function settle(entry: Entry, result: BulkResult | undefined, failure?: string) {
    const { path, kind } = entry;
    if (result && 'change' in result) {
      if (kind === 'delete') onServer.delete(path);
      else onServer.add(path);
      return count(kind === 'delete' ? { kind: 'deleted', line: `deleted ${path}` } : { kind: result.change === 'unchanged' ? 'unchanged' : 'uploaded', line: `uploaded ${path} (${result.change})` });
    }
    if (kind === 'delete' && result?.status === 404) {
      onServer.delete(path);
      return count({ kind: 'deleted', line: `deleted ${path}` });
    }
    const reason = result ? `${result.status} ${result.error}` : (failure ?? 'no answer for it in the batch');
    count({ kind: 'failed', line: kind === 'delete' ? `failed to delete ${path}: ${reason}` : `failed ${path}: ${reason}` });
  }

  async function sendBatch(body: string, sent: Entry[]): Promise<void> {
    try {
      const response = await client.sendBatch(body);
      if (!response.ok) {
        const reason = await reasonOf(response);
        for (const entry of sent) settle(entry, undefined, reason);
        return;
      }
      const answer = (await response.json()) as BulkAnswer;
      const byLine = new Map(answer.results.map((result) => [result.line, result]));
      sent.forEach((entry, index) => settle(entry, byLine.get(index + 1)));
    } catch (error) {
      if (isFatal(error) || signal?.aborted) fatal ??= error;
      else for (const entry of sent) settle(entry, undefined, messageOf(error));
    }
  }

  async function flush(): Promise<void> {
    if (entries.length > 0) {
      const task: Promise<void> = sendBatch(lines.join(''), entries).finally(() => inFlight.delete(task));
      inFlight.add(task);
      lines = [];
      entries = [];
      bytes = 0;
    }
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (fatal) throw fatal;
  }

  async function send(path: string, local?: LocalFile): Promise<void> {
    const line = limits ? bulkLine(path, local) : '';
    const size = Buffer.byteLength(line);
    if (!limits || size > maxBytes) {
      const outcome = await push(path, local).catch((error: unknown) => {
        if (isFatal(error) || signal?.aborted) throw error;
        return { kind: 'failed', line: `failed ${path}: ${messageOf(error)}` } satisfies Outcome;
      });
      return count(outcome);
    }
    if (entries.length >= maxFiles || bytes + size > maxBytes) await flush();
    lines.push(line);
    entries.push({ path, kind: local ? 'put' : 'delete' });
    bytes += size;
  }

  return {
    send,
    flush,
    drain: async () => void (await Promise.allSettled(inFlight)),
    throwIfFatal() {
      if (fatal) throw fatal;
    },
  };
}
