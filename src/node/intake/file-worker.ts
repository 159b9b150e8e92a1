// The worker thread of the read pool: reads and parses the batches of paths it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { readArticleFile, type KnownFile, type ReadOptions } from './read-file.ts';

export interface ReadBatch {
  id: number;
  paths: string[];
  known: (KnownFile | undefined)[];
}

const options = workerData as ReadOptions;
parentPort?.on('message', ({ id, paths, known }: ReadBatch) => {
  const outcomes = paths.map((path, index) => readArticleFile(path, known[index], options));
  parentPort?.postMessage({ id, outcomes });
});
