// The package's Node entry (`import … from 'wirefeed/node'`): serve and watch a folder, or build
// the static site, from other code; the same functions `wirefeed serve` and `wirefeed build` run.
export { startWirefeed, type StartOptions, type Wirefeed } from './server/serve.ts';
export { buildSite, type BuildOptions, type BuildSummary } from './build/build-site.ts';
export { createFileStore, type FileStoreOptions } from './file-store.ts';
export { runCli } from './cli.ts';
