// The WebSub hubs a site names (WEBSUB_HUBS): read with the rest of the configuration, so the
// config needs nothing of the notifier that pings them (publish/websub.ts).
import { ConfigError } from '../errors.ts';

/** Parses WEBSUB_HUBS: comma-separated absolute http(s) URLs, blanks ignored, duplicates dropped. Throws ConfigError. */
export function parseHubs(raw: string | undefined): string[] {
  const hubs = new Set<string>();
  for (const entry of (raw ?? '').split(',')) {
    const value = entry.trim();
    if (value !== '') hubs.add(checkHubUrl(value, `WEBSUB_HUBS entry "${value}"`));
  }
  return [...hubs];
}

/** `value` as a normalised hub URL, or a ConfigError that starts with `label` and says the fix. */
export function checkHubUrl(value: string, label: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `[websub] ${label} is not an absolute URL: list hub URLs separated by commas, e.g. WEBSUB_HUBS=https://pubsubhubbub.appspot.com/`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`[websub] ${label} must start with http:// or https:// (WEBSUB_HUBS)`);
  }
  if (url.username !== '' || url.password !== '') {
    // fetch refuses URLs with credentials, so such a hub could never be reached.
    throw new ConfigError(`[websub] ${label} must not contain a user name or password (WEBSUB_HUBS)`);
  }
  return url.href;
}
