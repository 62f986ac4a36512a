// Servers under load run in their own Node process, so the load generator does not steal their event loop.
// The parent forks an entry file under tsx and talks to it over the IPC channel: `ready` once it listens,
// `call` for named diagnostics it exposes, `stop` to drain and exit.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

type Handler = (args: unknown) => Promise<unknown>;

/** Built into every child: its process's CPU time so far (user + system, all threads), in microseconds. */
const CPU_USAGE = 'cpuUsage';
const cpuMicros: Handler = () => {
  const { user, system } = process.cpuUsage();
  return Promise.resolve(user + system);
};

export interface ChildStarted {
  /** Whatever the child reports once it listens (its URL, what it seeded). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
  handlers?: Record<string, Handler>;
}

type ChildMessage =
  | { type: 'ready'; payload: Record<string, unknown> }
  | { type: 'failed'; message: string }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; message: string };

type ParentMessage = { type: 'stop' } | { type: 'call'; id: number; name: string; args: unknown };

export interface ChildServer {
  pid: number;
  ready: Record<string, unknown>;
  call<Result>(name: string, args?: unknown): Promise<Result>;
  /** The child's CPU time so far, in microseconds: the server's own cost, whatever else shares the machine. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

function send(target: ChildProcess, message: ParentMessage): void {
  target.send(message);
}

function reply(message: ChildMessage, sent?: () => void): void {
  process.send?.(message, () => sent?.());
}

/** Forks `entry` (a .ts file) under tsx with `env` added, and resolves once it reports ready. */
export async function startChildServer(
  entry: string,
  env: Record<string, string>,
  options: { startTimeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ChildServer> {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) {
        reject(new Error(`child ${entry} exited (${code ?? signal}) during a call`));
      }
      pending.clear();
      resolve();
    }),
  );

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${entry} did not report ready in ${options.startTimeoutMs ?? 120_000} ms`));
    }, options.startTimeoutMs ?? 120_000);
    child.on('message', (raw: ChildMessage) => {
      if (raw.type === 'ready') {
        clearTimeout(timer);
        resolve(raw.payload);
      } else if (raw.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`child ${entry} failed to start: ${raw.message}`));
      } else {
        const waiter = pending.get(raw.id);
        pending.delete(raw.id);
        if (raw.ok) waiter?.resolve(raw.result);
        else waiter?.reject(new Error(raw.message));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child ${entry} exited (${code ?? signal}) before it was ready`));
    });
  });

  const call = <Result>(name: string, args?: unknown): Promise<Result> => {
    if (exited) return Promise.reject(new Error(`child ${entry} has exited`));
    const id = nextId++;
    return new Promise<Result>((resolve, reject) => {
      pending.set(id, { resolve: (value) => resolve(value as Result), reject });
      send(child, { type: 'call', id, name, args });
    });
  };

  return {
    pid: child.pid ?? -1,
    ready,
    call,
    cpuMicros: () => call<number>(CPU_USAGE),
    async stop() {
      if (exited) return;
      send(child, { type: 'stop' });
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** The child's side: start, report ready (or the failure), answer calls, stop on request or when orphaned. */
export function runAsChild(start: () => Promise<ChildStarted>): void {
  if (!process.send) throw new Error('this file is a benchmark child: start it with startChildServer()');
  const parent = process;
  start().then(
    (started) => {
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        await started.stop().catch(() => undefined);
        process.exit(code);
      };
      parent.on('message', (message: ParentMessage) => {
        if (message.type === 'stop') {
          void stop(0);
          return;
        }
        const handler = message.name === CPU_USAGE ? cpuMicros : started.handlers?.[message.name];
        const answer = handler
          ? handler(message.args)
          : Promise.reject(new Error(`no handler named ${message.name}`));
        answer.then(
          (result) => reply({ type: 'reply', id: message.id, ok: true, result }),
          (error: unknown) =>
            reply({
              type: 'reply',
              id: message.id,
              ok: false,
              message: error instanceof Error ? error.message : String(error),
            }),
        );
      });
      // The parent died without saying stop: do not linger holding a port.
      parent.on('disconnect', () => void stop(1));
      reply({ type: 'ready', payload: started.ready });
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      reply({ type: 'failed', message }, () => process.exit(1));
    },
  );
}
