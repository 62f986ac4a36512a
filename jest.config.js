/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // tsconfig.json's isolatedModules makes ts-jest transpile each file alone (fast, no type check: tsc does that).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 30000,
  // Probes PostgreSQL and Redis once (TEST_DATABASE_URL, TEST_REDIS_URL), so a suite that needs one that is
  // away fails at once with one line (test/support/services.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Checks every log line the suites' subgraphs wrote (at info or lower) for tokens, keys and redactable values,
  // and fails the run naming the offending lines (test/support/log-leaks.ts).
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
