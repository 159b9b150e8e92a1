import { makeNodeTarget, runHttpSuite } from './http/suite.ts';

runHttpSuite('createApp through app.request', (files, title) => makeNodeTarget(files, title, 'app'));
