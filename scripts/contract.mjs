#!/usr/bin/env node
// `npm run contract`: runs the shared contract check (../shared/tools/check-contract.mjs, beside this clone)
// against schema/. Outside the development setup, where that folder or this project's dependencies are missing,
// it says in one line what it needs and exits 1, instead of Node's MODULE_NOT_FOUND stack. (CI's .ci/run skips
// the check where ../shared is absent; asked for by name, a check that cannot run is a failure, not a pass.)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import process from 'node:process';

// npm runs scripts in the package's root, which is where the tool expects to be run from.
const root = process.cwd();
const tool = resolve(root, '..', 'shared', 'tools', 'check-contract.mjs');
// What the tool loads from this project (its parser, and composition with a sample subgraph).
const NEEDED_PACKAGES = ['graphql', '@apollo/composition'];

function fail(line) {
  process.stderr.write(`contract: ${line}\n`);
  process.exit(1);
}

if (!existsSync(tool)) {
  fail(
    `needs the shared contract check at ${tool} (the shared/ folder beside this clone, with contract/ai.graphql); it is not there`,
  );
}
const require = createRequire(join(root, 'package.json'));
const missing = NEEDED_PACKAGES.filter((name) => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  fail(`needs this project's dependencies (${missing.join(', ')} not installed): run \`npm ci\` first`);
}

const run = spawnSync(process.execPath, [tool], { cwd: root, stdio: 'inherit' });
if (run.error) fail(`could not run ${tool}: ${run.error.message}`);
process.exit(run.status ?? 1);
