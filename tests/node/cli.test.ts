// The `npm start` entry as a real process: flags, help, and start-up errors.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src', 'node', 'main.ts');
const run = promisify(execFile);
// vitest (through Vite) sets BASE_URL=/ in its own environment: keep it from the child.
const { BASE_URL: _vite, ...ENV } = process.env;

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

async function fails(args: string[], env: Record<string, string> = {}) {
  try {
    await run(TSX, [MAIN, ...args], { env: { ...ENV, ...env } });
  } catch (error) {
    return error as { code: number; stderr: string };
  }
  throw new Error('expected the process to fail');
}

describe('wirefeed serve (npm start)', () => {
  it('prints every option with --help', async () => {
    const { stdout } = await run(TSX, [MAIN, '--help']);
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
    const child = spawn(TSX, [MAIN, '--articles-dir', temp.dir, '--port', '0', '--host', '127.0.0.1', '--log-format', 'text'], {
      env: { ...ENV, ARTICLES_DIR: '/ignored', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    try {
      await waitFor(() => output.includes('serving'), { timeoutMs: 15_000, what: 'the start-up line' });
      // LOG_FORMAT=text: `[date time] LEVEL: [module] message`, one record a line.
      const time = String.raw`\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] `;
      expect(output).toMatch(
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
      await waitFor(() => output.includes('[intake] published two.txt (World)'), { timeoutMs: 5000, what: 'the publish line' });
    } finally {
      child.kill('SIGTERM');
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
