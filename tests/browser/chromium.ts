// Debian's headless Chromium driven by playwright-core, and what a page did wrong while it ran.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Where screenshots go, for a person to look at: `test-artifacts/browser/` at the repo root. */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));

// The machine's network is closed: without these Chromium keeps dialling Google's hosts
// (updates, sync, safe browsing) and logs every refusal. Playwright itself adds --headless,
// --no-sandbox and a new empty --user-data-dir.
const ARGS = [
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's Chromium; fails, rather than skips, where it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`[browser] ${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Records, from now on, every console error, uncaught page error, failed request and 4xx/5xx
 * response of `page` as one line each. The returned array fills as the page runs.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  return problems;
}

/**
 * Saves a screenshot as `test-artifacts/browser/<name>.png`: the full page for HTML, the
 * viewport for XML documents (a full-page shot of a document without <body> never returns).
 */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  const fullPage = await page.evaluate<boolean>('document.body !== null');
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}
