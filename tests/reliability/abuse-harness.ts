// The abuse tests' bookkeeping: a wirefeed process that is restarted (and the death recorded)
// if a request kills it, and a ledger that judges every exchange by the same rules and counts
// what the figures report: requests per category, statuses, and every broken rule.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { checkFeed, decodeBody } from './load-check.ts';
import { send, sendRaw, type Exchange, type RawResponse, type RequestSpec, type SendOptions } from './abuse-client.ts';
import { startServerProcess, type ServerProcess } from './load-server.ts';

/** A stack frame, a file path or an error name: nothing of the server's insides may reach a client. */
export const LEAK = /at .*\.ts|\/work\/|node_modules|Error:/;

/** Options for judging one exchange. */
export interface Judge {
  /** Extra rule for each response; returns a problem or undefined. */
  expect?: (response: RawResponse) => string | undefined;
  /** The server may end the connection without an answer (CONNECT, which node:http has no handler for; requests past its header limit). */
  mayClose?: boolean;
}

type SendSpec = { spec: RequestSpec } | { raw: string | Buffer; methods?: string[] };

/** A wirefeed process under attack, with the ledger of everything sent to it. */
export class AbuseTarget {
  readonly categories = new Map<string, number>();
  readonly statuses = new Map<string, number>();
  readonly problems: string[] = [];
  counts = { requests: 0, serverErrors: 0, leaks: 0, hangs: 0, offSite: 0, malformed: 0, deaths: 0, other: 0 };
  /** Lines the server logged as unexpected errors (`[app] … failed`), over every process it ran as. */
  loggedErrors = 0;
  private server!: ServerProcess;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    this.server = await startServerProcess(this.env);
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  async stop(): Promise<void> {
    this.loggedErrors += this.server.appErrors();
    await this.server.stop();
  }

  /** Sends one request (or raw bytes), judges the exchange, and returns it. */
  async exchange(category: string, what: SendSpec, judge: Judge = {}, options: Omit<SendOptions, 'port' | 'methods'> = {}): Promise<Exchange> {
    const port = this.server.port;
    const result = 'spec' in what ? await send(what.spec, { ...options, port }) : await sendRaw(what.raw, { ...options, port, methods: what.methods });
    const label = labelOf(what);
    this.categories.set(category, (this.categories.get(category) ?? 0) + 1);
    this.counts.requests += 1;
    for (const response of result.responses) this.tally(String(response.status));
    if (result.responses.length === 0) this.tally(result.outcome === 'hang' ? 'hang' : 'nothing (connection ended)');
    if (result.outcome === 'hang') this.fail('hangs', label, `no answer in ${Math.round(result.ms)} ms`);
    else if (result.responses.length === 0 && !judge.mayClose) this.fail('other', label, `connection ${result.outcome} without an answer`);
    for (const response of result.responses) this.judgeResponse(label, response, judge);
    await this.checkAlive(label, result.responses.length > 0);
    return result;
  }

  private tally(key: string): void {
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  private fail(kind: keyof AbuseTarget['counts'], label: string, problem: string): void {
    this.counts[kind] += 1;
    this.problems.push(`${label} -> ${problem}`);
  }

  private judgeResponse(label: string, response: RawResponse, judge: Judge): void {
    const { status, headers, body } = response;
    const text = body.toString('latin1');
    if (status >= 500) this.fail('serverErrors', label, `${status} ${text.slice(0, 120)}`);
    else if (![200, 201, 204, 301, 304].includes(status) && (status < 400 || status > 499)) this.fail('other', label, `unexpected status ${status}`);
    if (LEAK.test(text)) this.fail('leaks', label, `body shows internals: ${text.slice(0, 160)}`);
    if (!response.wellFramed) this.fail('malformed', label, `body does not match its framing (${headers['content-length'] ?? 'no'} Content-Length)`);
    if (status === 301) {
      const location = headers.location ?? '';
      // Resolved the way a browser resolves it: `//host`, `/\host` and `/\t/host` all leave the site.
      const resolved = safeUrl(location, this.server.baseUrl);
      if (resolved?.origin !== new URL(this.server.baseUrl).origin) {
        this.fail('offSite', label, `redirects off the site: Location ${JSON.stringify(location)} -> ${resolved?.href ?? 'no URL at all'}`);
      }
    }
    if (status === 200 && body.length > 0) {
      const problem = checkBody(headers, body);
      if (problem) this.fail('malformed', label, problem);
    }
    const extra = judge.expect?.(response);
    if (extra) this.fail('other', label, extra);
  }

  /** Records a death and starts a fresh process, so one fatal request cannot hide the rest. */
  private async checkAlive(label: string, answered: boolean): Promise<void> {
    // A request that kills the process gets no answer; its exit event follows the closed socket.
    for (let waited = 0; !answered && this.server.exit() === undefined && waited < 1000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exit = this.server.exit();
    if (exit === undefined) return;
    const last = this.server.stderr.filter((line) => /Error/.test(line)).at(-1) ?? '';
    this.fail('deaths', label, `the server process died (${exit}): ${last}`);
    this.loggedErrors += this.server.appErrors();
    this.server = await startServerProcess(this.env);
  }
}

function labelOf(what: SendSpec): string {
  const bytes = 'spec' in what ? `${what.spec.method ?? 'GET'} ${what.spec.target}` : (typeof what.raw === 'string' ? what.raw : what.raw.toString('latin1')).split('\r\n')[0]!;
  return JSON.stringify(bytes.length > 120 ? `${bytes.slice(0, 100)}…(${bytes.length} bytes)` : bytes);
}

function safeUrl(location: string, base: string): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

/** A 200 must be what it says it is: a feed that parses, an HTML page, JSON that parses. */
function checkBody(headers: Record<string, string>, body: Buffer): string | undefined {
  const type = headers['content-type'] ?? '';
  try {
    const text = decodeBody(body, headers['content-encoding']);
    if (/rss|atom|feed\+json|application\/xml/.test(type)) checkFeed(type, text);
    else if (/^text\/html/.test(type) && !text.startsWith('<!doctype html>')) return 'HTML page without a doctype';
    else if (/^application\/json/.test(type)) JSON.parse(text);
    return undefined;
  } catch (error) {
    return `200 body is malformed (${type}): ${(error as Error).message}`;
  }
}

/**
 * Every entry under `root` (dotfiles too): files with size, mtime and SHA-256, folders by name
 * (a folder's mtime moves when an authorised publish comes and goes). Equal snapshots: nothing written.
 */
export async function snapshotFolder(root: string): Promise<string[]> {
  // The server's own state folder (STATE_DIR, `.wirefeed` by default) changes as it runs.
  const entries = (await readdir(root, { recursive: true, withFileTypes: true })).filter(
    (entry) => !relative(root, join(entry.parentPath, entry.name)).split(sep).includes('.wirefeed'),
  );
  const lines = await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const info = await lstat(path);
      if (!info.isFile()) return `${relative(root, path)}/`;
      const hash = createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16);
      return `${relative(root, path)} ${info.size} ${info.mtimeMs} ${hash}`;
    }),
  );
  return lines.sort();
}
