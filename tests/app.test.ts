import { runHttpSuite } from './http/suite.ts';

runHttpSuite('createApp through app.request', (wirefeed, path, init) =>
  Promise.resolve(wirefeed.app.request(path, init)),
);
