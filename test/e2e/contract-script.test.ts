// Issue 8's finding: `npm run contract` outside the development setup (a clone without ../shared beside it,
// or without its dependencies installed) failed with Node's MODULE_NOT_FOUND stack. It now says in one line
// what it needs and exits 1; where both are there it runs the shared check and passes on its exit code.
// Each case is a copy of the project's package.json and script in a temporary folder, with or without a
// shared/ folder beside it: nothing in the real ../shared is touched.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/spawn-subgraph';

jest.setTimeout(60_000);

const workspaces: string[] = [];

afterAll(() => {
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

/** A workspace holding `project/` (package.json and scripts/contract.mjs) and whatever `setUp` adds. */
function workspace(setUp: (root: string, project: string) => void = () => undefined): string {
  const root = mkdtempSync(join(tmpdir(), 'contract-script-'));
  workspaces.push(root);
  const project = join(root, 'project');
  mkdirSync(join(project, 'scripts'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(project, 'package.json'));
  cpSync(join(REPO_ROOT, 'scripts', 'contract.mjs'), join(project, 'scripts', 'contract.mjs'));
  setUp(root, project);
  return project;
}

function npmRunContract(cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };
    execFile('npm', ['run', 'contract'], { cwd, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

/** The lines the script itself wrote (npm adds its own header and failure lines around them). */
const contractLines = (output: string) => output.split('\n').filter((line) => line.startsWith('contract: '));

describe('npm run contract outside the development setup says what it needs (issue 8)', () => {
  test('without ../shared beside the clone: one line naming the missing shared check, exit 1, no MODULE_NOT_FOUND', async () => {
    const project = workspace();
    const { code, output } = await npmRunContract(project);
    expect(code).toBe(1);
    expect(output).not.toMatch(/MODULE_NOT_FOUND|Cannot find module/);
    expect(contractLines(output)).toEqual([
      `contract: needs the shared contract check at ${join(project, '..', 'shared', 'tools', 'check-contract.mjs')} (the shared/ folder beside this clone, with contract/ai.graphql); it is not there`,
    ]);
  });

  test("with ../shared but without the project's dependencies: one line asking for npm ci, exit 1", async () => {
    const project = workspace((root) => symlinkSync(join(REPO_ROOT, '..', 'shared'), join(root, 'shared')));
    const { code, output } = await npmRunContract(project);
    expect(code).toBe(1);
    expect(output).not.toMatch(/MODULE_NOT_FOUND|Cannot find module/);
    expect(contractLines(output)).toEqual([
      "contract: needs this project's dependencies (graphql, @apollo/composition not installed): run `npm ci` first",
    ]);
  });

  test('with both: runs the shared check from the project root and exits with its code', async () => {
    const project = workspace((root, project) => {
      mkdirSync(join(root, 'shared', 'tools'), { recursive: true });
      writeFileSync(
        join(root, 'shared', 'tools', 'check-contract.mjs'),
        'console.log(`contract: stand-in check ran in ${process.cwd()}`); process.exit(3);\n',
      );
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(project, 'node_modules'));
    });
    const { code, output } = await npmRunContract(project);
    expect(code).toBe(3);
    expect(contractLines(output)).toEqual([`contract: stand-in check ran in ${project}`]);
  });
});
