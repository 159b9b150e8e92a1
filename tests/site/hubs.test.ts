import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.ts';
import { parseHubs } from '../../src/site/hubs.ts';

describe('parseHubs', () => {
  it('reads comma-separated http(s) URLs, ignoring blanks and duplicates', () => {
    expect(parseHubs(undefined)).toEqual([]);
    expect(parseHubs('  ')).toEqual([]);
    expect(parseHubs(' https://pubsubhubbub.appspot.com/ ,, http://127.0.0.1:8080/hub,https://pubsubhubbub.appspot.com')).toEqual([
      'https://pubsubhubbub.appspot.com/',
      'http://127.0.0.1:8080/hub',
    ]);
  });

  it.each([
    ['ftp://hub.example.com/', /WEBSUB_HUBS entry "ftp:\/\/hub.example.com\/" must start with http:\/\/ or https:\/\//],
    ['/hub', /WEBSUB_HUBS entry "\/hub" is not an absolute URL: list hub URLs separated by commas/],
    ['https://ok.example.com/, not a url', /WEBSUB_HUBS entry "not a url" is not an absolute URL/],
    ['https://user:secret@hub.example.com/', /WEBSUB_HUBS entry .* must not contain a user name or password/],
  ])('refuses %j with a ConfigError naming WEBSUB_HUBS and the fix', (raw, message) => {
    expect(() => parseHubs(raw)).toThrow(ConfigError);
    expect(() => parseHubs(raw)).toThrow(message);
  });
});
