// Mutation testing (npm run test:mutation; not part of npm test or CI): mutates auth, the document store, the
// gateway's resilience policies and the caches, and runs the suites of jest.mutation.config.js against each
// mutant. Jest runs under --experimental-vm-modules, as in `npm test`. Incremental: only mutants in code or
// tests changed since the committed stryker-incremental.json are run again.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: [
    'subgraph/auth/**/*.ts',
    'subgraph/retrieval/store/**/*.ts',
    'subgraph/gateway/resilience/**/*.ts',
    'subgraph/gateway/cache/**/*.ts',
    'subgraph/retrieval/search-cache.ts',
  ],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 10000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
