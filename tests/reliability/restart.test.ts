// Restart safety with real processes and SIGKILL. (a) `wirefeed serve` killed in the middle of a
// burst of changes to its folder and started again serves exactly what a fresh scan of the folder
// serves. (b) `wirefeed publish` killed mid-sync and run again finishes the job: the server's
// folder equals the local one, byte for byte and mtime for mtime, and the server serves it all.
// (a) runs with each watch engine. The server keeps its state (STATE_DIR, by default in the
// articles folder) through every kill, so dates it kept may differ from a fresh scan's: the
// oracle allows exactly what model-dates.ts allows, from every mtime each path had in the test.
import fc from 'fast-check';
import { stat, utimes } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { syncFolder } from '../../src/node/publish/sync-folder.ts';
import { startWirefeed, type Wirefeed } from '../../src/node/server/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import { SOAK, recordFigures, size } from './figures.ts';
import { articleFiles, delay, diffStates, freshScanState, GoodVersions, readServedState, waitUntilServedMatches } from './model-compare.ts';
import { DateHistory } from './model-dates.ts';
import { applyOp, emptyStats, opArb, seedArb, OP_KINDS } from './model-ops.ts';
import { freePort, killHard, startChild, waitForHealthy, type Child } from './restart-process.ts';
import { makeRandom } from './load-writer.ts';
import { compareSnapshots, snapshotFolder, writeArticles } from './restart-files.ts';

const SITE = { HOST: '127.0.0.1', BASE_URL: 'http://feeds.test', FEED_LIMIT: '500' };
const TOKEN = 'restart-test-token-7d3e91c04b2a58';
/** One seed makes every round's operations and kill points; RESTART_SEED=<n> replays a run. */
const SEED = Number(process.env.RESTART_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TIMEOUT_MS = SOAK ? 30 * 60_000 : 120_000;

const children: Child[] = [];
const temps: TempDir[] = [];
let inProcess: Wirefeed | undefined;

afterEach(async () => {
  await inProcess?.close();
  inProcess = undefined;
  // Only the processes this file started, one by one.
  for (const child of children.splice(0)) await killHard(child);
  for (const temp of temps.splice(0)) await temp.remove();
});

function track<T extends Child>(child: T): T {
  children.push(child);
  return child;
}

describe.each(['native', 'chokidar'] as const)('wirefeed serve (WATCHER=%s), SIGKILLed in the middle of a burst of changes', (engine) => {
  it('serves exactly what a fresh scan of the folder serves once started again', async () => {
    const started = performance.now();
    const settleMs = 200;
    // Per engine; two rounds cover both restarts (after the burst, and at once during it).
    const rounds = size(2, 20);
    const burst = size(20, 40);
    const temp = await makeTempDir('wirefeed-restart-');
    temps.push(temp);
    const port = await freePort();
    const env = { ...SITE, WATCHER: engine, SETTLE_MS: String(settleMs), ARTICLES_DIR: temp.dir, PORT: String(port) };
    const [initial] = fc.sample(seedArb, { seed: SEED, numRuns: 1 });
    const plans = fc.sample(
      fc.record({ ops: fc.array(opArb({ settleMs, maxBurst: 40 }), { minLength: burst, maxLength: burst }), killAt: fc.double({ min: 0.1, max: 0.9, noNaN: true }) }),
      { seed: SEED + 1, numRuns: rounds },
    );
    const stats = emptyStats();
    const killedAfter: number[] = [];
    const healthyMs: number[] = [];
    const filesAtEnd: number[] = [];
    const failures: string[] = [];
    let duringBurst = 0;

    const dates = new DateHistory();
    for (const op of initial ?? []) await applyOp(temp.dir, op, stats);
    await dates.record(temp.dir);
    let server = track(startChild(['serve'], env));
    await waitForHealthy(port, server);

    for (const [round, { ops, killAt }] of plans.entries()) {
      // Every other round the new server starts at once, while the burst goes on around its scan.
      const restartAtOnce = round % 2 === 1;
      const kill = Math.max(1, Math.floor(killAt * ops.length));
      const history = restartAtOnce ? new GoodVersions() : undefined;
      const transcript: string[] = [];
      for (const [i, op] of ops.entries()) {
        if (i === kill) {
          await killHard(server);
          transcript.push(`-- SIGKILL (pid ${server.process.pid}) after ${i} operations${restartAtOnce ? '; restarted at once' : ''}`);
          killedAfter.push(i);
          if (restartAtOnce) {
            server = track(startChild(['serve'], env));
            await history!.record(temp.dir, env);
          }
        }
        transcript.push(await applyOp(temp.dir, op, stats));
        await history?.record(temp.dir, env);
        await dates.record(temp.dir);
      }
      if (restartAtOnce) duringBurst += 1;
      else server = track(startChild(['serve'], env));
      healthyMs.push(await waitForHealthy(port, server));

      const result = await waitUntilServedMatches({
        dir: temp.dir,
        env,
        request: (path) => fetch(`http://127.0.0.1:${port}${path}`),
        settleMs,
        history,
        dates,
        timeoutMs: 30_000,
      });
      filesAtEnd.push((await articleFiles(temp.dir)).length);
      if (result.diff.length > 0) {
        failures.push(
          [`round ${round + 1} (WATCHER=${engine} RESTART_SEED=${SEED}): served state differs from a fresh scan:`, ...result.diff, 'operations:', ...transcript, 'server output:', ...server.lines.slice(-30)].join('\n  '),
        );
        break;
      }
    }

    // A polite stop still works after all that: SIGTERM closes the server and exits 0.
    server.process.kill('SIGTERM');
    const stop = await server.exited;

    await recordFigures(`restart-serve-${engine}`, {
      title: `Restart: serve killed mid-burst (WATCHER=${engine})`,
      command: `${SOAK ? 'SOAK=1 ' : ''}npx vitest run --project node tests/reliability/restart.test.ts -t "WATCHER=${engine}" (replay: RESTART_SEED=${SEED})`,
      rows: {
        'rounds (SIGKILLs)': killedAfter.length,
        'restarted after the burst / during it': `${killedAfter.length - duringBurst} / ${duringBurst}`,
        'operations per burst': burst,
        'operations before each kill': killedAfter.join(', '),
        'operations by kind': OP_KINDS.map((kind) => `${kind} ${stats.byKind[kind]}`).join(', '),
        'files written (bad ones)': `${stats.filesWritten} (${stats.badFilesWritten})`,
        'article files after each round': filesAtEnd.join(', '),
        'start to /readyz 200, max (ms)': Math.max(0, ...healthyMs),
        mismatches: failures.length,
        'wall time (s)': ((performance.now() - started) / 1000).toFixed(1),
      },
      note:
        'A real `wirefeed serve` process over a folder receiving a burst of random writes, renames and deletes (bad files included) is ' +
        'SIGKILLed after a random number of operations and started again on the same port, after the burst or at once; ' +
        'then /status and every feed must equal a fresh scan of the folder, dates kept in the state being ones the rules allow.',
    });
    expect(failures).toEqual([]);
    expect(stop).toEqual({ code: 0, signal: null });
  }, TIMEOUT_MS);
});

describe('wirefeed publish, SIGKILLed mid-sync', () => {
  it('finishes the job when run again: the same files, bytes and mtimes on the server, all served', async () => {
    const started = performance.now();
    const files = size(150, 1000);
    const kills = size(2, 4);
    const a = await makeTempDir('wirefeed-server-');
    const b = await makeTempDir('wirefeed-local-');
    temps.push(a, b);
    const env = { ...SITE, SETTLE_MS: '100', PORT: '0', PUBLISH_TOKEN: TOKEN };
    const serverLog: string[] = [];
    inProcess = await startWirefeed({ ...env, ARTICLES_DIR: a.dir }, { log: (line) => serverLog.push(line) });
    const server = inProcess;
    const url = `http://127.0.0.1:${server.port}`;
    await writeArticles(b.dir, files, SEED);
    const random = makeRandom(SEED + 2);
    const killed: { uploadsSeen: number; onServer: number }[] = [];

    for (let k = 0; k < kills; k++) {
      const before = await settledFileCount(a.dir);
      // A run can finish its uploads before the test reads the line that would kill it (a loaded
      // machine reads a child's output late): then there is nothing left to interrupt.
      if (before >= files) break;
      // Somewhere in the first two thirds of what is left, so the kill lands mid-sync.
      const target = Math.max(1, Math.floor((files - before) * (0.1 + random() * 0.55)));
      // Small batches (the server takes them), so a kill lands between and inside requests.
      const child = track(startChild(['publish', b.dir, '--to', url, '--batch-files', '5'], { PUBLISH_TOKEN: TOKEN }));
      let uploads = 0;
      child.onLine = (line) => {
        if (/^uploaded .+ \((created|updated)\)$/.test(line) && ++uploads === target) child.process.kill('SIGKILL');
      };
      const exit = await child.exited;
      expect(exit, `publish run ${k + 1} should have been killed mid-sync:\n${child.lines.join('\n')}`).toEqual({ code: null, signal: 'SIGKILL' });
      killed.push({ uploadsSeen: uploads, onServer: await settledFileCount(a.dir) });
    }

    const onServer = killed.at(-1)?.onServer ?? 0;
    const final = track(startChild(['publish', b.dir, '--to', url], { PUBLISH_TOKEN: TOKEN }));
    const exit = await final.exited;
    const summary = /^uploaded (\d+), deleted (\d+), unchanged (\d+), failed (\d+)$/.exec(final.lines.at(-1) ?? '');
    // The server's own state folder (STATE_DIR's default, inside the articles folder) is no copy.
    const onServerSide = Object.entries(await snapshotFolder(a.dir)).filter(([path]) => !path.startsWith('.wirefeed/'));
    const folderDiff = compareSnapshots(await snapshotFolder(b.dir), Object.fromEntries(onServerSide));
    const request = (path: string) => fetch(`${url}${path}`);
    const settled = await waitUntilServedMatches({ dir: a.dir, env, request, settleMs: 100, idle: () => server.intake.idle() });
    // Item for item, dates included, what a fresh start over the local folder serves.
    const againstLocal = diffStates(await freshScanState(b.dir, env), await readServedState(request));
    const status = (await (await request('/status')).json()) as { articles: number; rejected: unknown[] };

    await recordFigures('restart-publish', {
      title: 'Restart: publish killed mid-sync',
      command: `${SOAK ? 'SOAK=1 ' : ''}npx vitest run --project node tests/reliability/restart.test.ts -t "finishes the job" (replay: RESTART_SEED=${SEED})`,
      rows: {
        'files in the local folder': files,
        kills: killed.length,
        'uploads seen before each kill': killed.map((kill) => kill.uploadsSeen).join(', '),
        'files on the server after each kill': killed.map((kill) => kill.onServer).join(', '),
        'last run: uploaded / unchanged / failed': summary ? `${summary[1]} / ${summary[3]} / ${summary[4]}` : `no summary (exit ${exit.code})`,
        'files differing between the folders (paths, bytes, mtimes to the ms)': folderDiff.length,
        'articles served': status.articles,
        mismatches: settled.diff.length + againstLocal.length,
        'wall time (s)': ((performance.now() - started) / 1000).toFixed(1),
      },
      note:
        'A real `wirefeed publish` process syncing a folder to a real server is SIGKILLed after a random number of uploads, ' +
        'several times, then run to completion: it must exit 0 having uploaded only what was missing, leave the server folder equal ' +
        'to the local one (paths, bytes, mtimes, no stray temp files), and the server must serve every article.',
    });
    expect(exit, final.lines.join('\n')).toEqual({ code: 0, signal: null });
    expect(final.lines.filter((line) => line.startsWith('!'))).toEqual([]);
    expect(summary?.slice(1).map(Number)).toEqual([files - onServer, 0, onServer, 0]);
    expect(folderDiff).toEqual([]);
    expect(settled.diff).toEqual([]);
    expect(againstLocal).toEqual([]);
    expect([status.articles, status.rejected]).toEqual([files, []]);
    expect(serverLog.filter((line) => line.includes(TOKEN))).toEqual([]);
  }, TIMEOUT_MS);

  // Found by the test above: Node's Stats#mtime is mtimeMs rounded to the millisecond and the
  // watcher dates .txt articles by it, while `wirefeed publish` sent Math.trunc(mtimeMs), dating
  // about half of all files 1 ms earlier on the server. It now sends Stats#mtime.
  it('dates a published .txt article as a server over the local folder dates it', async () => {
    const a = await makeTempDir('wirefeed-server-');
    const b = await makeTempDir('wirefeed-local-');
    temps.push(a, b);
    const env = { ...SITE, SETTLE_MS: '50', PORT: '0', PUBLISH_TOKEN: TOKEN };
    inProcess = await startWirefeed({ ...env, ARTICLES_DIR: a.dir }, { log: () => {} });
    const server = inProcess;
    const file = await b.write('politics/talks.txt', 'Politics\n\nTalks go on\n\nBody.');
    // 0.7 ms past a whole millisecond, as a file saved by any editor may be.
    await utimes(file, 1_736_244_001.6697, 1_736_244_001.6697);
    // The CLI's sync, in-process (the test above runs the real process).
    expect(await syncFolder({ dir: b.dir, to: `http://127.0.0.1:${server.port}`, token: TOKEN })).toEqual({ uploaded: 1, deleted: 0, unchanged: 0, failed: 0 });
    const request = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
    await waitFor(async () => (await server.store.status()).articles === 1, { what: 'the published article' });
    const local = (await freshScanState(b.dir, env)).feeds['*/feed.json'];
    const served = (await readServedState(request)).feeds['*/feed.json'];
    expect(served, `local file mtimeMs ${(await stat(file)).mtimeMs}`).toEqual(local);
  });
});

/** The number of article files in `dir` once it has stayed the same for 200 ms (uploads in flight land). */
async function settledFileCount(dir: string): Promise<number> {
  let count = (await articleFiles(dir)).length;
  for (;;) {
    await delay(200);
    const now = (await articleFiles(dir)).length;
    if (now === count) return count;
    count = now;
  }
}
