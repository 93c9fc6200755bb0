// Stand-alone entry until the `kubently` CLI wraps it:
//   npx tsx common/nats-config/main.ts --tokens tokens.env [--output kubently-users.conf] [--cost 11]

import { parseArgs } from 'node:util';
import { runNatsConfigCommand } from './command.js';

const { values } = parseArgs({
  options: { tokens: { type: 'string' }, output: { type: 'string' }, cost: { type: 'string' } },
  strict: true,
});

if (!values.tokens) {
  console.error('usage: nats-config --tokens <file> [--output <file>] [--cost <bcrypt cost>]');
  process.exit(2);
}

runNatsConfigCommand({
  tokensFile: values.tokens,
  output: values.output,
  bcryptCost: values.cost === undefined ? undefined : Number(values.cost),
}).then(
  () => {
    if (values.output) console.error(`wrote ${values.output}; reload nats-server to apply it`);
  },
  (err: unknown) => {
    console.error(`nats-config: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
