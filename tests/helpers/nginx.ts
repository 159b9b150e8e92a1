// A real nginx (Debian's package) for tests: one process, no daemon, every file it writes inside
// a temp folder, listening on loopback ports the test chose. CI installs nginx (.ci/run); a
// machine without it skips, but CI fails rather than skip (see nginxOrReason).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait.ts';
export { freePort } from './free-port.ts';

/** The nginx binary, if installed. */
export const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'].find((path) => existsSync(path));

/** Why tests needing nginx cannot run here; undefined when they can. Under CI a missing nginx is an error, not a skip. */
export function nginxMissing(): string | undefined {
  return NGINX === undefined ? 'nginx is not installed (apt-get install nginx; .ci/run installs it)' : undefined;
}


export interface RunningNginx {
  stop(): Promise<void>;
}

/**
 * Starts nginx with `servers` (the bodies of `server {}` blocks, inside `http {}`) from a
 * config written to `dir`, and resolves once every port in `ports` accepts connections.
 */
export async function startNginx(dir: string, servers: string[], ports: number[]): Promise<RunningNginx> {
  if (NGINX === undefined) throw new Error(nginxMissing());
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  include /etc/nginx/mime.types;
  types { application/feed+json json; text/x-opml opml; }
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${servers.map((body) => `  server {\n${body}\n  }`).join('\n')}
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `nginx exited (${code ?? signal}): ${stderr.trim()}`;
      resolve();
    }),
  );
  const stop = async () => {
    if (exited === undefined) child.kill('SIGQUIT');
    await exit;
  };
  try {
    await Promise.race([
      waitFor(async () => (await Promise.all(ports.map(accepts))).every(Boolean), { timeoutMs: 10_000, what: `nginx listening on ${ports.join(', ')}` }),
      exit.then(() => Promise.reject(new Error(exited))),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * The body of a `server {}` block serving a `wirefeed build` output folder at `root` on `port`
 * the way README "Static export" describes a host doing it: `try_files $uri $uri.html
 * $uri/index.html`, the `?page=N` rewrite into `page.N/`, `404.html` for unknown URLs, and the
 * headers of the build's `_headers` file (its text in `headers`: Cloudflare Pages / Netlify
 * syntax, `/:section/rss.xml` patterns) as one regex location per rule.
 */
export function staticSiteServer(port: number, root: string, headers: string): string {
  const locations = parseHeadersFile(headers).map(({ pattern, values }) => {
    const regex = pattern
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const lines = values.map(([name, value]) =>
      // nginx sets Content-Type from default_type; an empty types map stops the extension winning.
      name.toLowerCase() === 'content-type' ? `types { } default_type "${value}";` : `add_header ${name} "${value}" always;`,
    );
    return `    location ~ "^${regex}$" { ${lines.join(' ')} try_files $uri =404; }`;
  });
  return [
    `    listen 127.0.0.1:${port};`,
    `    root ${root};`,
    // Pages carry no `_headers` rule: hosts send HTML as UTF-8 (the pages say so in <meta> too).
    '    charset utf-8;',
    '    error_page 404 /404.html;',
    `    if ($arg_page ~ "^([2-9]|[1-9][0-9]+)$") { rewrite "^(.*/)([^/]*)$" $1page.$arg_page/$2? last; }`,
    ...locations,
    '    location / { try_files $uri $uri.html $uri/index.html =404; }',
  ].join('\n');
}

/** The rules of a `_headers` file: a pattern line, then indented `Name: value` lines. */
function parseHeadersFile(text: string): { pattern: string; values: [string, string][] }[] {
  const rules: { pattern: string; values: [string, string][] }[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!/^\s/.test(line)) rules.push({ pattern: line.trim(), values: [] });
    else {
      const colon = line.indexOf(':');
      rules.at(-1)?.values.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    }
  }
  return rules;
}
