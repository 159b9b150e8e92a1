import { makeNodeTarget, runHttpSuite } from '../http/suite.ts';

runHttpSuite('the Node server on an ephemeral port', (files, title) => makeNodeTarget(files, title, 'server'));
