import { runHttpSuite } from '../http/suite.ts';

runHttpSuite('the Node server on an ephemeral port', (wirefeed, path, init) =>
  fetch(`http://127.0.0.1:${wirefeed.port}${path}`, init),
);
