// `npm start`: the `wirefeed` CLI (src/node/cli.ts), whose default command is `serve`.
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
