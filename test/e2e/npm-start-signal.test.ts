// Finding: "SIGTERM sent to `npm start` leaves the server running, with no drain". npm runs a script through
// `sh -c`, and Debian's sh (dash) forks node instead of replacing itself with it: npm passed SIGTERM to the shell,
// the shell died, and node, re-parented, kept serving undrained until SIGKILL — in a container whose command is
// `npm start`, every deploy. The project's own start script is run here as npm runs it, in a scratch folder whose
// dist/subgraph/main.js only notes the signal, so the test needs no build.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitUntil } from '../support/wait-for';

jest.setTimeout(30_000);

const { scripts } = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'npm-start-signal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('SIGTERM sent to `npm start` reaches the server process, which can drain', async () => {
  const signalled = join(dir, 'signalled');
  const ready = join(dir, 'ready');
  mkdirSync(join(dir, 'dist', 'subgraph'), { recursive: true });
  writeFileSync(
    join(dir, 'dist', 'subgraph', 'main.js'),
    `const { writeFileSync } = require('node:fs');
     process.on('SIGTERM', () => { writeFileSync(${JSON.stringify(signalled)}, 'SIGTERM'); process.exit(0); });
     writeFileSync(${JSON.stringify(ready)}, String(process.pid));
     setInterval(() => {}, 1000);`,
  );
  // The start script as it is, without prestart's build check (the scratch folder has nothing to build).
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'npm-start-signal', version: '1.0.0', scripts: { start: scripts.start } }),
  );
  const npm = spawn('npm', ['start', '--silent'], { cwd: dir, stdio: 'ignore' });
  let serverPid = 0;
  try {
    await waitUntil(() => existsSync(ready), 15_000, 'the server started by npm start');
    serverPid = Number(readFileSync(ready, 'utf8'));
    npm.kill('SIGTERM');
    await waitUntil(() => existsSync(signalled), 5_000, 'SIGTERM reaching the server');
  } finally {
    npm.kill('SIGKILL');
    // On the old script the server outlives npm: it must not outlive the test.
    if (serverPid) {
      try {
        process.kill(serverPid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  }
});
