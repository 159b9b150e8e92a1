// The `npm start` entry as a real process: flags, help, and start-up errors.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWirefeed } from '../../src/node/server/serve.ts';
import { runChild, startChild, startServing } from '../helpers/child-process.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src', 'node', 'main.ts');
const BIN = join(ROOT, 'bin', 'wirefeed.js');
// vitest (through Vite) sets BASE_URL=/ in its own environment: keep it from the child.
const { BASE_URL: _vite, ...ENV } = process.env;

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

async function fails(args: string[], env: Record<string, string> = {}) {
  const result = await runChild(TSX, [MAIN, ...args], { env: { ...ENV, ...env } });
  if (result.code === 0) throw new Error('expected the process to fail');
  return result;
}

describe('wirefeed serve (npm start)', () => {
  it('prints every option with --help', async () => {
    const { code, stdout } = await runChild(TSX, [MAIN, '--help']);
    expect(code).toBe(0);
    for (const flag of ['--articles-dir', '--port', '--base-url', '--feed-limit', '--max-file-bytes', '--settle-ms']) {
      expect(stdout).toContain(flag);
    }
  });

  it('stops with exit code 2 and a fix-it message on bad configuration', async () => {
    const bad = await fails(['--feed-limit', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('wirefeed: FEED_LIMIT="many" is not valid: use a whole number from 1 to 500');
    const missing = await fails([], { ARTICLES_DIR: '/nonexistent/articles' });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ARTICLES_DIR="\/nonexistent\/articles" is not a folder: create it/);
    const unknown = await fails(['--colour']);
    expect(unknown.stderr).toMatch(/Unknown option '--colour'.*--help/);
  });

  it('logs one line at start and one per change, with flags overriding the environment', async () => {
    temp = await makeTempDir();
    await temp.write('one.txt', txtArticle('World', 'One'));
    await temp.write('bad.txt', '');
    const child = startChild(TSX, [MAIN, '--articles-dir', temp.dir, '--port', '0', '--host', '127.0.0.1', '--log-format', 'text'], {
      env: { ...ENV, ARTICLES_DIR: '/ignored', FORCE_COLOR: '0' },
    });
    try {
      await waitFor(() => child.stdout().includes('serving'), { timeoutMs: 15_000, what: 'the start-up line' });
      // LOG_FORMAT=text: `[date time] LEVEL: [module] message`, one record a line.
      const time = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] `;
      expect(child.stdout()).toMatch(
        new RegExp(
          [
            String.raw`^${time}INFO: \[intake\] watch engine: native \(WATCHER=auto, native module loaded\); state: ${escapeRegExp(temp.dir)}/\.wirefeed`,
            String.raw`${time}INFO: \[intake\] state: no index in ${escapeRegExp(temp.dir)}/\.wirefeed yet: a full scan builds it`,
            String.raw`${time}WARN: \[intake\] rejected bad.txt: empty file`,
            String.raw`${time}INFO: indexed 1 articles in 1 sections from 2 files in \d+ ms; serving http://127\.0\.0\.1:\d+`,
            '$',
          ].join('\n'),
        ),
      );
      await temp.write('two.txt', txtArticle('World', 'Two'));
      await waitFor(() => child.stdout().includes('[intake] published two.txt (World)'), { timeoutMs: 5000, what: 'the publish line' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

/** Runs the installed command, bin/wirefeed.js, with plain node; resolves once it ends (a server that starts is killed). */
function wirefeed(args: string[], env: Record<string, string> = {}) {
  return runChild(process.execPath, [BIN, ...args], { env: { ...ENV, ...env }, timeout: 20_000 });
}

/** Starts `wirefeed ...args` and resolves once it logs the start-up line. */
function serve(args: string[], env: Record<string, string> = {}) {
  return startServing(process.execPath, [BIN, ...args], { env: { ...ENV, FORCE_COLOR: '0', LOG_FORMAT: 'text', ...env } });
}

describe('wirefeed serve [DIR]', () => {
  it('serves the folder named after serve', async () => {
    temp = await makeTempDir();
    await temp.write('one.txt', txtArticle('World', 'Named on the command line'));
    const server = await serve(['serve', temp.dir, '--port', '0', '--host', '127.0.0.1'], { ARTICLES_DIR: '/nonexistent/ignored' });
    try {
      const feed = await fetch(`${server.baseUrl}/world/rss.xml`);
      expect(feed.status).toBe(200);
      expect(await feed.text()).toContain('<title>Named on the command line</title>');
      expect(server.output()).toContain(`state: ${temp.dir}/.wirefeed`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('refuses a folder named twice, and a second folder', async () => {
    temp = await makeTempDir();
    const twice = await wirefeed(['serve', temp.dir, '--articles-dir', '/elsewhere']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe(`wirefeed: serve was given two article folders, "${temp.dir}" and --articles-dir "/elsewhere": name one\n`);
    const two = await wirefeed(['serve', temp.dir, '/elsewhere']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/unexpected argument "\/elsewhere"/);
  });
});

describe('HOST beyond loopback', () => {
  it('refuses to start without BASE_URL rather than publish localhost links', async () => {
    temp = await makeTempDir();
    const refused = await wirefeed(['serve', temp.dir, '--port', '8787'], { HOST: '0.0.0.0' });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'wirefeed: HOST="0.0.0.0" lets other machines connect, but BASE_URL is not set, so every feed link and article id would say http://localhost:8787: ' +
        'set BASE_URL (--base-url) to the address readers use, e.g. https://feeds.example.com\n',
    );
    const ipv6 = await wirefeed(['serve', temp.dir, '--host', '::'], {});
    expect(ipv6.code).toBe(2);
    expect(ipv6.stderr).toMatch(/HOST="::" .* would say http:\/\/localhost:8787:/);
  });

  it('starts with BASE_URL set, and its links name BASE_URL', async () => {
    temp = await makeTempDir();
    await temp.write('one.txt', txtArticle('World', 'One'));
    const lines: string[] = [];
    const server = await startWirefeed(
      { ARTICLES_DIR: temp.dir, HOST: '0.0.0.0', PORT: '0', BASE_URL: 'https://feeds.example.com', STATE_DIR: 'off' },
      { log: (line) => lines.push(line) },
    );
    try {
      const feed = await (await fetch(`http://127.0.0.1:${server.port}/world/rss.xml`)).text();
      expect(feed).toContain('<link>https://feeds.example.com/world/one</link>');
      expect(feed).not.toContain('localhost');
      expect(lines.find((line) => line.startsWith('indexed '))).toMatch(/serving https:\/\/feeds\.example\.com$/);
    } finally {
      await server.close();
    }
  });
});

describe('wirefeed --version', () => {
  it('prints the version in package.json', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-v', 'version']) {
      const printed = await wirefeed([flag]);
      expect({ flag, ...printed }).toEqual({ flag, code: 0, stdout: `wirefeed ${version}\n`, stderr: '' });
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
