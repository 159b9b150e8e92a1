import { makeNodeTarget, runHttpSuite } from './http/suite.ts';
import { runTaxonomySuite } from './http/taxonomy-suite.ts';

runHttpSuite('createApp through app.request', (files, title) => makeNodeTarget(files, title, 'app'));
runTaxonomySuite('tag and author feeds through app.request', (files, title) => makeNodeTarget(files, title, 'app'));
