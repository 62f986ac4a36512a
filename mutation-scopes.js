// The folders mutation testing mutates (stryker.config.mjs), each with the suites that exercise it directly
// (jest.mutation.config.js): a mutant replays seconds of tests, not the whole end-to-end suite.
module.exports = {
  auth: {
    mutate: ['subgraph/auth/**/*.ts'],
    tests: ['unit/token-verifier'],
  },
  store: {
    mutate: ['subgraph/retrieval/store/**/*.ts'],
    tests: ['integration/document-store', 'integration/tenant-layers'],
  },
  resilience: {
    mutate: ['subgraph/gateway/resilience/**/*.ts'],
    tests: ['unit/either-breaker', 'unit/target-guard', 'unit/deadline'],
  },
  caches: {
    mutate: ['subgraph/gateway/cache/**/*.ts', 'subgraph/retrieval/search-cache.ts'],
    tests: [
      'integration/completion-cache-contract',
      'integration/search-cache-tenants',
      'unit/single-flight',
    ],
  },
};
