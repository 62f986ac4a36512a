// Runs the real entry point (subgraph/main.ts) as a child process, the way an operator starts it, so tests can
// see its exit code, its stderr and its log, and send it signals.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { appendToCapture, captureFile, withCaptureLevel } from './log-capture';

export const REPO_ROOT = join(__dirname, '..', '..');
const TSX_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited and its output streams are closed. */
  waitForExit(): Promise<ChildExit>;
}

export interface SpawnedSubgraph extends SpawnedProcess {
  port: number;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** Sends SIGKILL if the process still runs; for afterAll. */
  kill(): Promise<void>;
}

/** A port that was free a moment ago (PORT=0 would listen, but the child's chosen port is not printed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A child's variables; one given as undefined is left unset, whatever the default would have been. */
export type ChildEnv = Record<string, string | undefined>;

function definedOnly(env: ChildEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Only what a process needs to run: nothing from the test runner's environment (NODE_ENV=test, ...) leaks in. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Under the suite's log capture a child logs at info or lower, whatever quieter level the test asked. */
function capturedLevel(env: ChildEnv): ChildEnv {
  return captureFile() ? { ...env, LOG_LEVEL: withCaptureLevel(env.LOG_LEVEL ?? 'info') } : env;
}

/**
 * Starts `node --import tsx subgraph/main.ts`: one process, so a signal sent to it reaches the subgraph itself
 * (the tsx binary would add a relaying parent in between, and SIGKILL on it would orphan the server). Its
 * stdout, its log, goes to the suite's log capture once it has exited.
 */
export function spawnMain(env: ChildEnv): SpawnedProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraph/main.ts'], {
    cwd: REPO_ROOT,
    env: definedOnly({ ...baseEnv(), ...capturedLevel(env) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      appendToCapture(stdout);
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, waitForExit: () => exited };
}

/**
 * Starts the subgraph on a free port with `env` and resolves once GET /readyz answers 200. HOST is 127.0.0.1
 * unless `env` says otherwise (`HOST: undefined` leaves it unset, for the subgraph's own default).
 */
export async function spawnSubgraph(
  env: ChildEnv,
  options: { readyTimeoutMs?: number } = {},
): Promise<SpawnedSubgraph> {
  const port = await freePort();
  const spawned = spawnMain({ HOST: '127.0.0.1', PORT: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  let exitedEarly: ChildExit | null = null;
  void spawned.waitForExit().then((exit) => (exitedEarly = exit));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 45_000);
  for (;;) {
    if (exitedEarly) {
      throw new Error(`subgraph exited before ready (${JSON.stringify(exitedEarly)}): ${spawned.stderr()}`);
    }
    if (Date.now() > deadline) {
      spawned.child.kill('SIGKILL');
      throw new Error(`subgraph not ready within the timeout: ${spawned.stderr()}`);
    }
    const status = await fetch(`${base}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    ...spawned,
    port,
    url: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    async kill() {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
      await spawned.waitForExit();
    },
  };
}

/** Runs a TypeScript script through node_modules/.bin/tsx (as `npm run <script>` does) and collects its output. */
export function runTsxScript(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<ChildExit & { stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX_BIN,
      [script, ...args],
      { cwd: REPO_ROOT, env: { ...baseEnv(), ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}
