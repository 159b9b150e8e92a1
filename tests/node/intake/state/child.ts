// Child process for the SIGKILL test: opens the state in argv[2], carries on the operation
// sequence from where the state left off, and prints `flushed <count>` whenever operations
// 0..count-1 are durable.
import { openState } from '../../../../src/node/intake/state/intake-state.ts';
import { opAt } from './child-plan.ts';

const dir = process.argv[2]!;
const { state, status } = await openState({
  dir,
  fingerprint: { test: 'sigkill' },
  log: (line) => console.log(line),
  batchMs: 5,
  batchRecords: 40,
  compactFloor: 200,
});
// The newest set record tells how far the sequence got (a delete after it is simply done again).
let next = 0;
for (const record of state.records.values()) next = Math.max(next, record.size + 1);
console.log(`ready ${status} ${next}`);
for (;;) {
  const op = opAt(next);
  if ('set' in op) state.set(op.set);
  else state.delete(op.deleted);
  next += 1;
  if (next % 25 === 0) {
    await state.flush();
    console.log(`flushed ${next}`);
  }
}
