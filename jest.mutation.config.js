// Jest for mutation testing (npm run test:mutation): only the suites of mutation-scopes.js, for the folder
// named by MUTATION_SCOPE (see stryker.config.mjs) or, unset, for all of them.
const base = require('./jest.config.js');
const scopes = require('./mutation-scopes.js');

const scope = process.env.MUTATION_SCOPE;
const selected = scope ? [scopes[scope]] : Object.values(scopes);

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  // Mutants run beside a type checker and other runs: slower hooks (a PGlite start) must not fail the dry run.
  testTimeout: 120_000,
  testMatch: selected.flatMap((s) => (s ? s.tests : [])).map((test) => `<rootDir>/test/${test}.test.ts`),
};
