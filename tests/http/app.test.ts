import { makeNodeTarget, runHttpSuite } from './suite.ts';
import { runTaxonomySuite } from './taxonomy-suite.ts';

runHttpSuite('createApp through app.request', (files, title) => makeNodeTarget(files, title, 'app'));
runTaxonomySuite('tag and author feeds through app.request', (files, title) => makeNodeTarget(files, title, 'app'));
