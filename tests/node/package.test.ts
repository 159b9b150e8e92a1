// The package as a user gets it: `npm pack` of the built checkout, the tarball installed
// into an empty folder with `npm install --omit=dev`, then `npx wirefeed serve`, `publish` and
// `build` from there with plain node, and the library imported by other code. Slow (a build and
// an install from the registry, cache first), so one install serves every case.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const TOKEN = 'package-test-token-3b8e1f5d2c7a90';
const INSTALL_MS = 240_000;
// Each case starts npx and node processes; under a full parallel `npm test` that takes a while.
const CASE_MS = 120_000;

// Children get the test's environment less what would point npm back at this checkout (under
// `npm test`, npm exports the project's prefix and package fields) and vitest's BASE_URL=/.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => name !== 'BASE_URL' && name !== 'PUBLISH_TOKEN' && name !== 'INIT_CWD' && !/^npm_(package_|lifecycle_|config_(local_)?prefix$|config_global_prefix$)/i.test(name),
  ),
);

interface JsonFeed {
  title: string;
  items: { title: string; url: string }[];
}

let temp: TempDir;
/** The folder the tarball is installed into, as a user's project. */
let app: string;
let tarballFiles: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  temp = await makeTempDir('wirefeed-package-');
  const packs = join(temp.dir, 'packs');
  await mkdir(packs);
  // dist/ was built from this checkout before any test ran (tests/build-dist.ts); packing with
  // --ignore-scripts keeps `prepare` from rebuilding it under the other test files using it.
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packs, '--loglevel', 'warn'], { cwd: ROOT, env: ENV, maxBuffer: 16 * 1024 * 1024 });
  const [tarball] = (await readdir(packs)).filter((name) => name.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${packs}`);
  const { stdout } = await run('tar', ['-tzf', join(packs, tarball)]);
  tarballFiles = stdout.split('\n').filter(Boolean);

  app = join(temp.dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'uses-wirefeed', private: true, type: 'module' }));
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel', 'error', join(packs, tarball)], {
    cwd: app,
    env: ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
}, INSTALL_MS);

afterAll(async () => {
  for (const child of children) stopGroup(child);
  await temp?.remove();
});

/** `npx wirefeed …args` in the user's folder, in a process group of its own (npx runs a child). */
function wirefeed(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn('npx', ['wirefeed', ...args], { cwd: app, env: { ...ENV, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** Runs `npx wirefeed …args` to its end. */
async function wirefeedRun(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = wirefeed(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr };
}

function stopGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

/** Writes `source` as a module of the user's folder, runs it with node and resolves with its stdout. */
async function runScript(name: string, source: string): Promise<string> {
  await writeFile(join(app, name), source);
  const { stdout } = await run(process.execPath, [join(app, name)], { cwd: app, env: ENV });
  return stdout;
}

async function jsonFeed(url: string): Promise<JsonFeed> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/feed\+json/);
  return (await response.json()) as JsonFeed;
}

describe('the packed package', { timeout: CASE_MS }, () => {
  it('holds the built code, the README and the licence, and neither tests nor TypeScript sources', () => {
    const files = tarballFiles.map((file) => file.replace(/^package\//, ''));
    for (const file of ['package.json', 'README.md', 'LICENSE', 'bin/wirefeed.js', 'dist/cli.js', 'dist/index.js', 'dist/node.js', 'dist/file-worker.js', 'dist/worker.js', 'dist/types/index.d.ts', 'dist/types/node/index.d.ts', 'dist/types/workers/index.d.ts']) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /^(tests|src|bench|articles|scripts)\//.test(file))).toEqual([]);
    // The reader threads' module is found as `./file-worker.js` beside the chunk holding the pool.
    expect(files.filter((file) => file.startsWith('dist/') && file.endsWith('.js') && file.split('/').length !== 2)).toEqual([]);
  });

  it('installs without dev dependencies: no TypeScript loader, no esbuild, no compiler', async () => {
    const installed = await readdir(join(app, 'node_modules'));
    expect(installed).toContain('wirefeed');
    expect(installed).toContain('hono');
    for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest', 'wrangler']) expect(installed).not.toContain(dev);
    const { stdout } = await run('npx', ['wirefeed', '--version'], { cwd: app, env: ENV });
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(stdout).toBe(`wirefeed ${version}\n`);
  });

  it('serves a folder with `npx wirefeed serve` and takes a `wirefeed publish` of another', async () => {
    const site = join(temp.dir, 'site');
    const local = join(temp.dir, 'local');
    await mkdir(site);
    await mkdir(local);
    await writeFile(join(site, 'already-here.txt'), txtArticle('World', 'Already here'));
    await writeFile(join(local, 'quake.txt'), txtArticle('World', 'Quake shakes the coast'));
    await writeFile(join(local, 'final.txt'), txtArticle('Sport', 'Cup final tonight'));

    const server = wirefeed(['serve', site, '--port', '0', '--host', '127.0.0.1'], { PUBLISH_TOKEN: TOKEN });
    let output = '';
    server.stdout!.on('data', (chunk) => (output += chunk));
    server.stderr!.on('data', (chunk) => (output += chunk));
    const serving = await waitFor(() => /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], { timeoutMs: 30_000, what: 'the serving line' });
    const base = String(serving.value);
    try {
      const served = await jsonFeed(`${base}/world/feed.json`);
      expect(served.title).toBe('World | wirefeed');
      expect(served.items.map((item) => item.title)).toEqual(['Already here']);

      const published = await wirefeedRun(['publish', local, '--to', base], { PUBLISH_TOKEN: TOKEN });
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      expect(published.stdout).toContain('uploaded 2, deleted 1');
      await waitFor(async () => (await jsonFeed(`${base}/world/feed.json`)).items.map((item) => item.title).join() === 'Quake shakes the coast', { timeoutMs: 10_000, what: 'the published World feed' });
      expect((await jsonFeed(`${base}/sport/feed.json`)).items.map((item) => item.title)).toEqual(['Cup final tonight']);
    } finally {
      stopGroup(server);
    }
  });

  it('builds the static site with `npx wirefeed build`', async () => {
    const articles = join(temp.dir, 'build-articles');
    const out = join(temp.dir, 'public');
    await mkdir(articles);
    await writeFile(join(articles, 'talks.txt'), txtArticle('Politics', 'Talks resume'));
    const built = await wirefeedRun(['build', articles, '--out', out], { BASE_URL: 'https://news.example.com' });
    expect(built.code).toBe(0);
    expect(await readdir(join(out, 'politics'))).toEqual(expect.arrayContaining(['index.html', 'rss.xml', 'atom.xml', 'feed.json']));
    const feed = JSON.parse(await readFile(join(out, 'politics', 'feed.json'), 'utf8')) as JsonFeed;
    expect(feed.items.map((item) => [item.title, item.url])).toEqual([['Talks resume', 'https://news.example.com/politics/talks']]);
    expect(await readFile(join(out, 'politics', 'talks.html'), 'utf8')).toContain('Talks resume');
  });

  it('lets other code import createApp and the store from `wirefeed`, and startWirefeed from `wirefeed/node`', async () => {
    const script = [
      "import { createApp, createMemoryStore, parseArticle, parseOptionsOf, resolveConfig } from 'wirefeed';",
      "import { startWirefeed } from 'wirefeed/node';",
      "const config = resolveConfig({ BASE_URL: 'https://news.example.com' });",
      'const store = createMemoryStore();',
      "const parsed = parseArticle({ path: 'hello.txt', bytes: new TextEncoder().encode('World\\n\\nHello from a library\\n\\nBody.'), mtime: new Date(0) }, parseOptionsOf(config));",
      'if (!parsed.ok) throw parsed.error;',
      'await store.put(parsed.article);',
      'const app = createApp({ store, site: config.site, feedLimit: 10 });',
      "const response = await app.request('/world/feed.json');",
      'console.log(response.status, typeof startWirefeed, (await response.json()).items.map((item) => item.title).join());',
    ].join('\n');
    expect(await runScript('library.js', script)).toBe('200 function Hello from a library\n');
  });

  it("runs the reader threads' module with plain node from the installed package", async () => {
    const articles = join(temp.dir, 'thread-articles');
    await mkdir(articles);
    await writeFile(join(articles, 'one.txt'), txtArticle('World', 'Read on a thread'));
    const script = [
      "import { Worker } from 'node:worker_threads';",
      "const worker = new Worker(new URL('./node_modules/wirefeed/dist/file-worker.js', import.meta.url), {",
      `  workerData: { dir: ${JSON.stringify(articles)}, settleMs: 0, parseOptions: { baseUrl: 'http://x.test', idAuthority: 'x.test', defaultSection: 'General', maxBytes: 1e6 } },`,
      '});',
      "worker.once('message', ({ outcomes }) => { console.log(outcomes.map((o) => o.kind).join()); worker.terminate(); });",
      "worker.postMessage({ id: 1, paths: ['one.txt'], known: [undefined] });",
    ].join('\n');
    expect(await runScript('thread.js', script)).toBe('read\n');
  });
});

describe('bin/wirefeed.js', () => {
  it('says to run the build, in one line, when dist/ is missing', async () => {
    const bare = await makeTempDir('wirefeed-bare-');
    try {
      await mkdir(join(bare.dir, 'bin'));
      await copyFile(join(ROOT, 'bin', 'wirefeed.js'), join(bare.dir, 'bin', 'wirefeed.js'));
      await writeFile(join(bare.dir, 'package.json'), '{"type":"module"}');
      const failure = await run(process.execPath, [join(bare.dir, 'bin', 'wirefeed.js'), '--help']).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/^wirefeed: dist\/cli\.js is missing: run npm run build[^\n]*\n$/);
    } finally {
      await bare.remove();
    }
  });
});
