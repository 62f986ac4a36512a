// Servers under load run in their own Node process, so the load generator never shares an event loop with
// them. The parent forks an entry file under tsx and talks to it over IPC: `ready` once it listens, `call` for
// the named handlers it exposes (fault injection, metrics, diagnostics), `stop` to drain and exit.
// BENCH_CHILD_FLAGS adds Node flags to every child, for a look inside a run that NODE_OPTIONS does not allow:
// `BENCH_CHILD_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` (a profile per thread, PGlite's included) or
// `--trace-gc`.
import { fork } from 'node:child_process';

export type Handler = (args: unknown) => unknown;

export interface ChildStarted {
  /** Whatever the child reports once it listens (its URL, what it seeded). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
  handlers?: Record<string, Handler>;
}

type FromChild =
  | { type: 'ready'; payload: Record<string, unknown> }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; ok: boolean; value: unknown };

type ToChild = { type: 'stop' } | { type: 'call'; id: number; name: string; args: unknown };

export interface Child {
  pid: number;
  ready: Record<string, unknown>;
  call<T>(name: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface ForkOptions {
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
}

const childFlags = () => (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);

/** Forks `entry` (a .ts file) under tsx with `env` added to this process's environment; resolves when ready. */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  options: ForkOptions = {},
): Promise<Child> {
  const child = fork(entry, [], {
    execArgv: [...(options.nodeFlags ?? []), ...childFlags(), '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const waiter of waiting.values()) waiter.reject(new Error(`${entry} exited (${code ?? signal})`));
      waiting.clear();
      resolve();
    }),
  );
  const startTimeoutMs = options.startTimeoutMs ?? 300_000;
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not report ready in ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.on('message', (message: FromChild) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.payload);
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${entry} failed to start: ${message.message}`));
      } else {
        const waiter = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.ok) waiter?.resolve(message.value);
        else waiter?.reject(new Error(String(message.value)));
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited before it was ready`));
    });
  });
  return {
    pid: child.pid ?? -1,
    ready,
    call<T>(name: string, args?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${entry} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: (value) => resolve(value as T), reject });
        const message: ToChild = { type: 'call', id, name, args };
        child.send(message);
      });
    },
    async stop() {
      if (exited) return;
      const message: ToChild = { type: 'stop' };
      child.send(message);
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/**
 * The children of one benchmark run: each started through here is stopped by `stopAll`, which the run calls
 * in a `finally`, so a failed scenario leaves no server holding a port.
 */
export class ChildGroup {
  private readonly children = new Set<Child>();

  async start(entry: string, env: Record<string, string>, options?: ForkOptions): Promise<Child> {
    const child = await startChild(entry, env, options);
    this.children.add(child);
    return child;
  }

  async stop(child: Child): Promise<void> {
    this.children.delete(child);
    await child.stop();
  }

  /** Starts a child, hands it to `work`, and stops it whatever `work` does. */
  async with<T>(entry: string, env: Record<string, string>, work: (child: Child) => Promise<T>): Promise<T> {
    const child = await this.start(entry, env);
    try {
      return await work(child);
    } finally {
      await this.stop(child);
    }
  }

  async stopAll(): Promise<void> {
    const all = [...this.children];
    this.children.clear();
    await Promise.allSettled(all.map((child) => child.stop()));
  }
}

/** The child's side: start, report ready (or why not), answer calls, stop when asked or when orphaned. */
export function serveChild(start: () => Promise<ChildStarted>): void {
  const send = (message: FromChild, then?: () => void): void => {
    process.send?.(message, () => then?.());
  };
  if (!process.send) throw new Error('this file is a benchmark child: start it with startChild()');
  start().then(
    (started) => {
      let stopping = false;
      const stop = async (code: number): Promise<void> => {
        if (stopping) return;
        stopping = true;
        await started.stop().catch(() => undefined);
        // process.exit (not a kill) so that --cpu-prof writes its profile.
        process.exit(code);
      };
      process.on('message', (message: ToChild) => {
        if (message.type === 'stop') {
          void stop(0);
          return;
        }
        const handler = started.handlers?.[message.name];
        Promise.resolve()
          .then(() => {
            if (!handler) throw new Error(`no handler named ${message.name}`);
            return handler(message.args);
          })
          .then(
            (value: unknown) => send({ type: 'result', id: message.id, ok: true, value }),
            (error: unknown) =>
              send({
                type: 'result',
                id: message.id,
                ok: false,
                value: error instanceof Error ? error.message : String(error),
              }),
          );
      });
      // The parent died without saying stop: do not linger holding a port.
      process.on('disconnect', () => void stop(1));
      send({ type: 'ready', payload: started.ready });
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      send({ type: 'failed', message }, () => process.exit(1));
    },
  );
}
