import { makeNodeTarget, runHttpSuite } from '../../http/suite.ts';
import { runTaxonomySuite } from '../../http/taxonomy-suite.ts';

runHttpSuite('the Node server on an ephemeral port', (files, title) => makeNodeTarget(files, title, 'server'));
runTaxonomySuite('tag and author feeds from the Node server', (files, title) => makeNodeTarget(files, title, 'server'));
