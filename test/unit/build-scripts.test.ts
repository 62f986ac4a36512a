// The build's own scripts, run as `npm start` runs them, in a scratch folder: `build-stamp.mjs fresh` sees a
// deleted source file as a change (found by a review: a deleted prompt version left `fresh` at 0, so the start
// skipped the build), and `clean-dist.mjs` empties dist/ so nothing deleted from the sources stays served there.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPTS = resolve(__dirname, '../../scripts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'build-scripts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The exit code of `node scripts/<script> <args>` run in the scratch folder. */
function run(script: string, ...args: string[]): number {
  try {
    execFileSync(process.execPath, [join(SCRIPTS, script), ...args], { cwd: dir, stdio: 'pipe' });
    return 0;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

/** Sets a path's times `secondsAgo` in the past, so the stamp written next is clearly newer. */
const age = (path: string, secondsAgo: number) => {
  const then = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, then, then);
};

it('build-stamp: fresh after a build, not fresh once a source file is deleted', () => {
  const prompts = join(dir, 'subgraph', 'gateway', 'prompts');
  mkdirSync(prompts, { recursive: true });
  mkdirSync(join(dir, 'dist'));
  for (const file of ['answer.v1.md', 'answer.v2.md']) writeFileSync(join(prompts, file), '# system\nx\n');
  for (const path of [join(prompts, 'answer.v1.md'), join(prompts, 'answer.v2.md'), prompts]) age(path, 60);
  for (const path of [join(dir, 'subgraph', 'gateway'), join(dir, 'subgraph')]) age(path, 60);
  expect(run('build-stamp.mjs', 'mark')).toBe(0);
  expect(run('build-stamp.mjs', 'fresh')).toBe(0);

  rmSync(join(prompts, 'answer.v2.md'));
  expect(run('build-stamp.mjs', 'fresh')).toBe(1);
});

it('clean-dist: removes dist/ and all it holds, and is fine when there is none', () => {
  mkdirSync(join(dir, 'dist', 'subgraph', 'gateway', 'prompts'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'subgraph', 'gateway', 'prompts', 'answer.v2.md'), 'stale');
  expect(run('clean-dist.mjs')).toBe(0);
  expect(existsSync(join(dir, 'dist'))).toBe(false);
  expect(run('clean-dist.mjs')).toBe(0);
});
