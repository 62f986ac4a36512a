// Mutation testing (npm run test:mutation; not part of npm test or CI). Mutates auth, the document store, the
// gateway's resilience policies and the caches, and runs against each mutant only the suites that exercise
// that code (mutation-scopes.js, jest.mutation.config.js), under --experimental-vm-modules as in `npm test`.
// MUTATION_SCOPE=auth|store|resilience|caches runs one folder with its own suites and its own incremental
// file; unset, everything runs. Incremental: a rerun only tests mutants whose code or covering tests changed.
import MUTATION_SCOPES from './mutation-scopes.js';

const scope = process.env.MUTATION_SCOPE;
const scopes = scope ? [scope] : Object.keys(MUTATION_SCOPES);
for (const name of scopes) {
  if (!MUTATION_SCOPES[name])
    throw new Error(`MUTATION_SCOPE must be one of ${Object.keys(MUTATION_SCOPES)}`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning'],
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: scopes.flatMap((name) => MUTATION_SCOPES[name].mutate),
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `reports/mutation/incremental-${scope ?? 'all'}.json`,
  concurrency: 2,
  timeoutMS: 10000,
  dryRunTimeoutMinutes: 20,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${scope ?? 'all'}.html` },
  jsonReporter: { fileName: `reports/mutation/${scope ?? 'all'}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
