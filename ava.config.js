// ava's settings. TEST_TIME_SCALE (default 1) stretches ava's inactivity timeout like every deadline in
// the tests (harness/eventually.ts), for machines where other work competes for the cores.
const scale = Number(process.env.TEST_TIME_SCALE || 1);

export default {
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  files: ['test/**/*.test.ts'],
  timeout: `${Math.round(60 * (scale > 0 ? scale : 1))}s`,
};
