// The simulated apiserver with the benchmark fixtures, in its own process so that its CPU does not
// compete with the load generator's event loop. Prints its URL on the first line of stdout.

import { startSimApiserver } from '../sim/server.js';
import { benchFixtures } from './lib/fixtures.js';

const sim = await startSimApiserver({ host: '127.0.0.1', port: 0, fixtures: benchFixtures(Date.now()) });
process.stdout.write(`sim listening ${sim.url}\n`);
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
