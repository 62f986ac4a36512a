/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig.json's isolatedModules makes ts-jest transpile each file alone (fast, no type check: tsc does that).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // Two suites at a time: most of a suite's time is spent waiting (on servers, child replicas, timers), so two
  // workers on a two-core machine finish the whole run in about half the time of one. More would put the suites
  // that time a stream or a deadline at the mercy of the others' CPU. Every suite owns its schema, key prefix
  // and ports, so any two can run side by side.
  maxWorkers: 2,
  // Each suite loads the subgraph's modules afresh and a worker keeps what they retain (OpenTelemetry's
  // globals, PGlite's WebAssembly): one process running every suite grew past 3 GB. A worker over this limit
  // after a suite is replaced by a fresh one.
  workerIdleMemoryLimit: '1GB',
  // Probes PostgreSQL and Redis once (TEST_DATABASE_URL, TEST_REDIS_URL), so a suite that needs one that is
  // away fails at once with one line (test/support/services.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Checks every log line the suites' subgraphs wrote (at info or lower) for tokens, keys and redactable values,
  // and fails the run naming the offending lines (test/support/log-leaks.ts).
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
