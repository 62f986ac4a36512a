// Jest for mutation testing (npm run test:mutation): the unit tests and the suites that exercise the mutated
// folders directly (auth, the document store, the resilience policies, the completion and search caches), so
// that one Stryker run finishes in minutes rather than replaying the whole end-to-end suite per mutant.
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/unit/**/*.test.ts',
    '<rootDir>/test/integration/auth-http.test.ts',
    '<rootDir>/test/integration/auth-keys.test.ts',
    '<rootDir>/test/integration/auth-token-cache.test.ts',
    '<rootDir>/test/integration/document-store.test.ts',
    '<rootDir>/test/integration/tenant-layers.test.ts',
    '<rootDir>/test/integration/completion-cache-contract.test.ts',
    '<rootDir>/test/integration/search-cache-tenants.test.ts',
  ],
};
