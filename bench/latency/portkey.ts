// The Portkey gateway (issue 13's comparison) as a child of the benchmark: its npm build started with
// `node start-server.js --port=N`, in its own process like every server here. It is not one of our tsx
// children (no IPC), so it gets a `Child` of its own shape: a pid for the CPU accounting and a stop.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../support/child-process';

/** Installed apart from the service's own packages (bench/peers/package.json). */
export const PORTKEY_ENTRY = path.join(
  __dirname,
  '..',
  'peers',
  'node_modules',
  '@portkey-ai',
  'gateway',
  'build',
  'start-server.js',
);

/** The one line a checkout without the peers installed gets, before any server starts. */
export function requirePortkey(): void {
  if (existsSync(PORTKEY_ENTRY)) return;
  console.error('bench:latency needs the Portkey gateway: run `npm ci --prefix bench/peers` first');
  process.exit(1);
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the gateway on a free port and resolves once the port accepts connections (it prints a spinner
 * first, which is not worth parsing). `--headless` leaves out its web console, which no request here uses.
 */
export async function startPortkey(startTimeoutMs = 60_000): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [PORTKEY_ENTRY, `--port=${port}`, '--headless'], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Its stderr is kept for the error message should it fail to start or die under load.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-2000)));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const startedAt = Date.now();
  while (!(await accepts(port))) {
    if (exited) throw new Error(`the Portkey gateway exited before it listened: ${stderr}`);
    if (Date.now() - startedAt > startTimeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the Portkey gateway did not listen on ${port} in ${startTimeoutMs} ms: ${stderr}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid ?? -1,
    ready: { url: `http://127.0.0.1:${port}/v1/chat/completions` },
    call: () => Promise.reject(new Error('the Portkey gateway has no handlers')),
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** What Portkey needs to proxy an OpenAI chat completion to the fake provider at `baseURL` (…/v1). */
export const portkeyHeaders = (baseURL: string): Record<string, string> => ({
  'x-portkey-provider': 'openai',
  'x-portkey-custom-host': baseURL,
});
