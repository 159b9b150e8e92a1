// deploy/systemd/wirefeed.service: what it says, systemd's own check of it (`systemd-analyze
// verify`, Debian's systemd package; .ci/run installs it), and its ExecStart run for real with the
// unit's environment, stopped the way systemd stops it.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/site/config.ts';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { freePort, packageJson, parseEnvFile, ROOT, runChild, startServing } from './recipe.ts';

const UNIT = join(ROOT, 'deploy', 'systemd', 'wirefeed.service');
const ENV_EXAMPLE = join(ROOT, 'deploy', 'systemd', 'wirefeed.env.example');
/** Where the unit expects Node and the installed package (`npm install -g` with Node in /usr). */
const NODE = '/usr/bin/node';
const INSTALLED = '/usr/lib/node_modules/wirefeed';
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((path) => existsSync(path));

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

type Unit = Record<string, Array<[key: string, value: string]>>;

/** systemd's unit syntax as far as this file uses it: sections, `Key=Value`, comments, no continuations. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: string | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.endsWith('\\')) throw new Error(`line ${index + 1}: continuation lines are not expected here`);
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      unit[section] ??= [];
      continue;
    }
    const pair = /^(\w+)=(.*)$/.exec(line);
    if (!pair || !section) throw new Error(`line ${index + 1} is not Key=Value inside a section: ${raw}`);
    unit[section]!.push([pair[1]!, pair[2]!]);
  }
  return unit;
}

/** The values of `key` in `section`, in order. */
function all(unit: Unit, section: string, key: string): string[] {
  return (unit[section] ?? []).filter(([name]) => name === key).map(([, value]) => value);
}

function one(unit: Unit, section: string, key: string): string {
  const values = all(unit, section, key);
  expect(values, `${section}.${key}`).toHaveLength(1);
  return values[0]!;
}

/** The unit's Environment= assignments (one KEY=VALUE each), with %S (the state root) replaced. */
function environmentOf(unit: Unit, stateRoot: string): Record<string, string> {
  return Object.fromEntries(
    all(unit, 'Service', 'Environment').map((assignment) => {
      const pair = /^([A-Z_]+)=(\S+)$/.exec(assignment);
      if (!pair) throw new Error(`Environment=${assignment} is not one plain KEY=VALUE`);
      return [pair[1]!, pair[2]!.replaceAll('%S', stateRoot)];
    }),
  );
}

/** ExecStart with this machine's Node and this checkout in place of the installed paths. */
function localExecStart(execStart: string): string {
  return execStart.replace(NODE, process.execPath).replace(INSTALLED, ROOT);
}

const seconds = (value: string) => {
  const match = /^(\d+)(s|min)?$/.exec(value);
  if (!match) throw new Error(`not a time span this test reads: ${value}`);
  return Number(match[1]) * (match[2] === 'min' ? 60 : 1);
};

describe('deploy/systemd/wirefeed.service', () => {
  it('runs the package\'s own command, `serve`, with plain node and the installed bin', async () => {
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    const { name, bin } = await packageJson();
    expect(INSTALLED.endsWith(`/node_modules/${name}`)).toBe(true);
    const script = bin.wirefeed;
    if (script === undefined) throw new Error('package.json has no bin.wirefeed');
    const words = one(unit, 'Service', 'ExecStart').split(/\s+/);
    expect(words).toEqual([NODE, `${INSTALLED}/${script}`, 'serve']);
    expect(existsSync(join(ROOT, script))).toBe(true);
  });

  it('keeps state in its StateDirectory, settings from the table, a dedicated user and a hardened sandbox', async () => {
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    expect(one(unit, 'Service', 'User')).toBe('wirefeed');
    expect(one(unit, 'Service', 'StateDirectory')).toBe('wirefeed');
    const env = environmentOf(unit, '%S');
    const names = SETTINGS.map(([setting]) => setting as string);
    for (const key of Object.keys(env)) expect(names, `Environment=${key}`).toContain(key);
    // The journal lives in the folder systemd makes writable and owns for User=.
    expect(env.STATE_DIR).toBe('%S/wirefeed');
    expect(env.HOST).toBe('127.0.0.1');
    // The publish API writes into the articles: the only other writable path.
    expect(all(unit, 'Service', 'ReadWritePaths')).toEqual([`-${env.ARTICLES_DIR}`]);
    expect(one(unit, 'Service', 'EnvironmentFile')).toBe('/etc/wirefeed/wirefeed.env');
    expect(one(unit, 'Service', 'Restart')).toBe('on-failure');
    // wirefeed's exit code for a configuration mistake (src/node/cli.ts): no restart loop.
    expect(one(unit, 'Service', 'RestartPreventExitStatus')).toBe('2');
    expect(one(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
    // Longer than the graceful stop's own limit (10 s by default) before systemd's SIGKILL.
    expect(seconds(one(unit, 'Service', 'TimeoutStopSec'))).toBeGreaterThanOrEqual(15);
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['CapabilityBoundingSet', ''],
    ]) {
      expect(one(unit, 'Service', key!), key).toBe(value);
    }
    // V8 compiles to memory it then runs: this setting would kill node at start.
    expect(all(unit, 'Service', 'MemoryDenyWriteExecute')).toEqual([]);
    expect(one(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('comes with an env file example that sets only settings of the table, BASE_URL among them', async () => {
    const example = parseEnvFile(await readFile(ENV_EXAMPLE, 'utf8'));
    const names = SETTINGS.map(([setting]) => setting as string);
    for (const key of Object.keys(example)) expect(names, key).toContain(key);
    expect(new URL(example.BASE_URL!).protocol).toBe('https:');
  });

  it.runIf(ANALYZE !== undefined || process.env.CI)('passes `systemd-analyze verify` (which checks ExecStart\'s binary exists)', async () => {
    expect(ANALYZE, 'systemd-analyze is missing: install Debian\'s systemd package (.ci/run does)').toBeDefined();
    temp = await makeTempDir('wirefeed-systemd-');
    const shipped = await readFile(UNIT, 'utf8');
    const execStart = one(parseUnit(shipped), 'Service', 'ExecStart');
    // The shipped file, with only ExecStart's two paths pointing at this machine's copies.
    const local = shipped.replace(`ExecStart=${execStart}`, `ExecStart=${localExecStart(execStart)}`);
    expect(local.split('\n').filter((line, index) => line !== shipped.split('\n')[index])).toEqual([`ExecStart=${localExecStart(execStart)}`]);
    const verify = async (text: string) => {
      const file = join(temp!.dir, 'wirefeed.service');
      await writeFile(file, text);
      const result = await runChild(ANALYZE!, ['verify', file], { timeout: 30_000 });
      // Unknown keys and bad values are only warnings (exit 0): any line about our file fails.
      return { code: result.code, about: result.stderr.split('\n').filter((line) => line.includes('wirefeed.service')) };
    };
    expect(await verify(local)).toEqual({ code: 0, about: [] });
    // The check is real: a misspelt key, and a Node that is not there, are both reported.
    expect((await verify(local.replace('ProtectHome=yes', 'ProtectHme=yes'))).about.join()).toMatch(/Unknown key.*ProtectHme/);
    const missingNode = local.replace(`ExecStart=${localExecStart(execStart)}`, `ExecStart=${localExecStart(execStart).replace(process.execPath, '/nonexistent/node')}`);
    const missing = await verify(missingNode);
    expect(missing.code).not.toBe(0);
    expect(missing.about.join()).toContain('/nonexistent/node');
  });

  it('starts with the unit\'s environment, serves, writes its state folder and exits 0 on KillSignal', async () => {
    temp = await makeTempDir('wirefeed-systemd-');
    const unit = parseUnit(await readFile(UNIT, 'utf8'));
    const stateRoot = join(temp.dir, 'var-lib');
    const env = environmentOf(unit, stateRoot);
    // The shipped ExecStart's ARTICLES_DIR is /srv/wirefeed/articles; here a folder of our own.
    const articles = join(temp.dir, 'articles');
    await temp.write('articles/one.txt', txtArticle('World', 'Under systemd'));
    const port = await freePort();
    const fileEnv = parseEnvFile(await readFile(ENV_EXAMPLE, 'utf8'));
    // What systemd passes: PATH, the unit's Environment= and its EnvironmentFile=, nothing of ours.
    const childEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, ...fileEnv, ARTICLES_DIR: articles, PORT: String(port) };
    const [command, ...args] = localExecStart(one(unit, 'Service', 'ExecStart')).split(/\s+/);
    const child = await startServing(command!, args, { env: childEnv, cwd: temp.dir });
    try {
      expect(child.output()).toContain(`serving ${fileEnv.BASE_URL}`);
      expect(child.output()).toContain(`state: ${stateRoot}/wirefeed`);
      const feed = await fetch(`http://127.0.0.1:${port}/world/rss.xml`);
      expect(await feed.text()).toContain(`<link>${fileEnv.BASE_URL}/world/one</link>`);
    } finally {
      child.kill(one(unit, 'Service', 'KillSignal') as NodeJS.Signals);
    }
    expect(await child.exited).toBe(0);
    expect((await readdir(join(stateRoot, 'wirefeed'))).length).toBeGreaterThan(0);
  });
});
