// Lets `npm start` skip the build (codegen, tsc, assets: about ten seconds) when dist/ is already built from the
// sources as they are. `mark` runs last in `npm run build`; `fresh` exits 0 when that build is newer than every
// source, 1 (saying why) when dist/ is missing, was never finished, or a source changed since.
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';

const STAMP = join('dist', '.build-stamp');
// Everything the build reads; subgraph/generated is written by the build itself (codegen).
const SOURCES = [
  'subgraph',
  'resolvers',
  'schema',
  'scripts',
  'codegen.ts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

function newestSource(path) {
  if (!existsSync(path)) return { path, mtimeMs: 0 };
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  // A folder's own time changes when a file in it is deleted or renamed: a deleted prompt or migration is a
  // change of the sources too, though no file left is newer than the build.
  return readdirSync(path)
    .filter((name) => !(path === 'subgraph' && name === 'generated'))
    .map((name) => newestSource(join(path, name)))
    .reduce((newest, entry) => (entry.mtimeMs > newest.mtimeMs ? entry : newest), {
      path,
      mtimeMs: stat.mtimeMs,
    });
}

const [command] = process.argv.slice(2);
if (command === 'mark') {
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
} else if (command === 'fresh') {
  if (!existsSync(STAMP)) {
    process.stderr.write('build: dist/ is not built yet, building\n');
    process.exit(1);
  }
  const builtAt = statSync(STAMP).mtimeMs;
  const newest = SOURCES.map(newestSource).reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  if (newest.mtimeMs > builtAt) {
    process.stderr.write(`build: ${newest.path} changed since the last build, building\n`);
    process.exit(1);
  }
} else {
  process.stderr.write('usage: node scripts/build-stamp.mjs mark|fresh\n');
  process.exit(2);
}
