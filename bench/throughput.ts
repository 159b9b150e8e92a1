// Throughput of a cached section feed over loopback: wirefeed (its own process) against a bare
// node:http server sending the same bytes and headers, both loaded by autocannon from this process.
import autocannon, { type Result } from 'autocannon';
import { unlink, writeFile } from 'node:fs/promises';
import {
  TSX,
  captureOutput,
  cpuTimeMs,
  fmt,
  freePort,
  httpGet,
  leafProcess,
  machineNote,
  markdownTable,
  median,
  progress,
  spawnGroup,
  stopGroup,
  waitFor200,
  type Section,
} from './lib.ts';
import { ensureCorpus } from './corpus.ts';
import { sectionsOf, startWirefeedChild } from './server.ts';

export interface ThroughputOptions {
  rounds: number;
  durationSec: number;
  warmupSec: number;
  connections: number;
}

type Case = '200' | '304';
type Target = 'wirefeed' | 'bare';

interface Sample {
  reqPerSec: number;
  p99Ms: number;
  /** Server process CPU (user + system) per completed request, in µs. */
  cpuUs: number;
}

// Not copied to the bare server: per-connection and per-response fields Node's http sets itself.
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);
const CORPUS_SIZE = 1000;
const GOALS: Record<Case, number> = { '200': 0.9, '304': 0.8 };

export async function runThroughput(options: ThroughputOptions): Promise<Section> {
  const dir = await ensureCorpus(CORPUS_SIZE);
  const bodyFile = `/dev/shm/wirefeed-bench-bare-${process.pid}.body`;
  const specFile = `/dev/shm/wirefeed-bench-bare-${process.pid}.json`;
  progress(`throughput: starting wirefeed over ${CORPUS_SIZE} articles`);
  const wirefeed = await startWirefeedChild(dir);
  let bare: ReturnType<typeof spawnGroup> | undefined;
  try {
    const section = (await sectionsOf(wirefeed.base))[0]!.slug;
    const path = `/${section}/rss.xml`;
    const first = await httpGet(`${wirefeed.base}${path}`, { 'accept-encoding': 'identity' });
    if (first.status !== 200) throw new Error(`wirefeed answered ${first.status} for ${path}`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(first.headers)) {
      if (!HOP_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
    }
    const etag = headers.etag;
    if (!etag) throw new Error(`wirefeed sent no ETag for ${path}`);
    await writeFile(bodyFile, first.body);
    await writeFile(specFile, JSON.stringify({ bodyFile, headers }));

    const barePort = await freePort();
    bare = spawnGroup(TSX, ['bench/bare-server.ts', specFile, String(barePort)], process.env);
    const bareOutput = captureOutput(bare);
    const bareBase = `http://127.0.0.1:${barePort}`;
    const child = bare;
    await waitFor200(`${bareBase}${path}`, { intervalMs: 20, timeoutMs: 30_000, alive: () => child.exitCode === null }).catch((error: Error) => {
      throw new Error(`${error.message}\n${bareOutput.text()}`);
    });
    await checkSameAnswers(`${wirefeed.base}${path}`, `${bareBase}${path}`, etag);

    const urls: Record<Target, string> = { wirefeed: `${wirefeed.base}${path}`, bare: `${bareBase}${path}` };
    const pids: Record<Target, number> = { wirefeed: wirefeed.pid, bare: leafProcess(bare.pid!) };
    const requestHeaders: Record<Case, Record<string, string>> = {
      '200': { 'accept-encoding': 'identity' },
      '304': { 'accept-encoding': 'identity', 'if-none-match': etag },
    };
    const load = async (target: Target, kind: Case, durationSec: number): Promise<Sample> => {
      const cpuBefore = cpuTimeMs(pids[target]);
      const result = await autocannon({ url: urls[target], connections: options.connections, duration: durationSec, headers: requestHeaders[kind] });
      const cpuMs = cpuTimeMs(pids[target]) - cpuBefore;
      checkResult(result, kind, target);
      return { reqPerSec: result.requests.average, p99Ms: result.latency.p99, cpuUs: (cpuMs * 1000) / (result.requests.total ?? NaN) };
    };

    for (const target of ['wirefeed', 'bare'] as const) {
      for (const kind of ['200', '304'] as const) {
        progress(`throughput: warm-up ${target} ${kind} (${options.warmupSec} s)`);
        await load(target, kind, options.warmupSec);
      }
    }
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < options.rounds; round++) {
      // Alternate who goes first, so a noisy stretch of the machine hits both.
      const order: Target[] = round % 2 === 0 ? ['wirefeed', 'bare'] : ['bare', 'wirefeed'];
      for (const kind of ['200', '304'] as const) {
        for (const target of order) {
          const sample = await load(target, kind, options.durationSec);
          progress(`throughput: round ${round + 1}/${options.rounds} ${kind} ${target}: ${fmt(sample.reqPerSec)} req/s, p99 ${sample.p99Ms} ms, ${fmt(sample.cpuUs)} µs CPU/req`);
          const key = `${kind}:${target}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }
    return report(samples, options, path, first.body.byteLength);
  } finally {
    await Promise.all([wirefeed.stop(), bare ? stopGroup(bare) : undefined]);
    await Promise.all([unlink(bodyFile).catch(() => undefined), unlink(specFile).catch(() => undefined)]);
  }
}

/** Both servers must send the same bytes and validators, and both must answer 304 to the ETag. */
async function checkSameAnswers(wirefeedUrl: string, bareUrl: string, etag: string): Promise<void> {
  const [a, b] = await Promise.all([wirefeedUrl, bareUrl].map((url) => httpGet(url, { 'accept-encoding': 'identity' })));
  if (!a!.body.equals(b!.body) || a!.headers['content-type'] !== b!.headers['content-type'] || a!.headers.etag !== b!.headers.etag) {
    throw new Error('throughput: the bare server does not send what wirefeed sends');
  }
  for (const url of [wirefeedUrl, bareUrl]) {
    const answer = await httpGet(url, { 'accept-encoding': 'identity', 'if-none-match': etag });
    if (answer.status !== 304) throw new Error(`throughput: ${url} answered ${answer.status} to If-None-Match`);
  }
}

function checkResult(result: Result, kind: Case, target: Target): void {
  const statuses = Object.keys(result.statusCodeStats);
  if (result.errors > 0 || result.timeouts > 0 || statuses.some((status) => status !== kind)) {
    throw new Error(`throughput: ${target} ${kind}: errors ${result.errors}, timeouts ${result.timeouts}, statuses ${JSON.stringify(result.statusCodeStats)}`);
  }
}

function report(samples: Map<string, Sample[]>, options: ThroughputOptions, path: string, bytes: number): Section {
  const rows: string[][] = [];
  const goals: Section['goals'] = [];
  for (const kind of ['200', '304'] as const) {
    const ours = samples.get(`${kind}:wirefeed`) ?? [];
    const theirs = samples.get(`${kind}:bare`) ?? [];
    const oursRps = median(ours.map((s) => s.reqPerSec));
    const bareRps = median(theirs.map((s) => s.reqPerSec));
    const value = oursRps / bareRps;
    // Rounds pair up in time, so the spread of per-round ratios shows how much noise there was.
    const perRound = ours.map((s, i) => s.reqPerSec / theirs[i]!.reqPerSec).sort((a, b) => a - b);
    const met = value >= GOALS[kind];
    rows.push([
      kind === '200' ? `200 (${fmt(bytes)} bytes)` : '304 (If-None-Match)',
      fmt(oursRps),
      fmt(bareRps),
      `**${value.toFixed(2)}**`,
      `${perRound[0]!.toFixed(2)}–${perRound.at(-1)!.toFixed(2)}`,
      fmt(median(ours.map((s) => s.p99Ms))),
      fmt(median(theirs.map((s) => s.p99Ms))),
      `${fmt(median(ours.map((s) => s.cpuUs)))} / ${fmt(median(theirs.map((s) => s.cpuUs)))}`,
      `≥ ${GOALS[kind]} ${met ? 'met' : 'NOT met'}`,
    ]);
    goals.push({ name: `Throughput ${kind}: wirefeed/bare req/s`, target: `≥ ${GOALS[kind]}`, measured: value.toFixed(2), met });
  }
  const markdown = [
    '## 1. Throughput of a cached section feed',
    '',
    `${machineNote(`${options.rounds} runs`)}.`,
    '',
    markdownTable(
      ['Response', 'wirefeed req/s', 'bare node:http req/s', 'ratio wirefeed/bare', 'per-round ratios', 'wirefeed p99 ms', 'bare p99 ms', 'server CPU µs/req wirefeed / bare', 'goal'],
      rows,
    ),
    '',
    `\`GET ${path}\` with \`Accept-Encoding: identity\` over 127.0.0.1; corpus of ${fmt(CORPUS_SIZE)} generated articles. ` +
      `autocannon (in the bench process) with ${options.connections} connections, ${options.durationSec} s per run, ` +
      `${options.rounds} alternating rounds after a ${options.warmupSec} s warm-up of each. wirefeed is \`tsx src/node/main.ts\` in a child ` +
      'process; the bare server (`bench/bare-server.ts`, also under tsx in a child) sends the body, Content-Type, ETag, Last-Modified, ' +
      'Cache-Control, Vary and CORS headers fetched from wirefeed first, and answers 304 on an exact If-None-Match. ' +
      'req/s is autocannon\'s per-second average; p99 is autocannon\'s latency p99. Server CPU per request is the user+system time of ' +
      'the server\'s node process (from /proc, 10 ms ticks) over the run divided by the requests completed: with both the load ' +
      'generator and the server on 2 shared cores, it is the steadier measure of what each request costs the server. ' +
      'With a body this size the 200 case is bound by autocannon itself (in our checks it held one core at ~100% while the bare ' +
      'server used ~10–15% of the other), so its req/s ratio mostly shows how much CPU each server leaves the load generator; ' +
      'the CPU column is the comparison to read there.',
  ].join('\n');
  return { markdown, goals };
}
