// The main thread's side of the PGlite worker (pglite-worker.mjs): a SqlDatabase whose statements travel as
// messages, so a heavy search runs beside the event loop instead of on it. Every call is answered by id; a
// worker that exits or fails rejects what waits and everything after, so no caller hangs on a dead thread.
import type { Worker } from 'node:worker_threads';
import type { SqlDatabase, SqlStatement, SqlTransaction } from './sql';

type Request =
  | { op: 'query'; text: string; params?: unknown[]; tx?: number }
  | { op: 'exec'; script: string }
  /**
   * The statements in one transaction on the worker's side (SqlDatabase.batch), `first` as for begin; or, with
   * `tx`, in that open transaction (SqlTransaction.batch).
   */
  | { op: 'batch'; statements: readonly SqlStatement[]; first?: boolean; tx?: number }
  /** `first`: queued ahead of every waiting request that is not itself first (TransactionPriority). */
  | { op: 'begin'; first?: boolean }
  | { op: 'commit' | 'rollback'; tx: number }
  | { op: 'close' };

/** The id the worker answers once PGlite has opened (or failed to). */
const OPEN_ID = 0;

type DescribedError = { name: string; message: string; fields: Record<string, unknown> };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: DescribedError };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The worker's reply, or null when it is not one. Checked by hand rather than by a zod schema: every
 * statement of every request (four for a usage record: begin, scope, upsert, commit) gets a reply, and the
 * schema's parse was a measurable share of a request's CPU for what three typeof checks do.
 */
export function readReply(message: unknown): Reply | null {
  if (!isRecord(message) || typeof message.id !== 'number') return null;
  if (message.ok === true) return { id: message.id, ok: true, value: message.value };
  if (message.ok !== false) return null;
  const error = message.error;
  if (
    !isRecord(error) ||
    typeof error.name !== 'string' ||
    typeof error.message !== 'string' ||
    !isRecord(error.fields)
  )
    return null;
  return {
    id: message.id,
    ok: false,
    error: { name: error.name, message: error.message, fields: error.fields },
  };
}

/** An error the database server raised (it carries a SQLSTATE `code` and a `severity`), named for what it is. */
class DatabaseError extends Error {}

/** The worker's error as a real Error here, with its SQLSTATE `code`, severity, routine and other fields. */
function rebuildError(described: DescribedError): Error {
  const { fields } = described;
  const fromServer = typeof fields.code === 'string' && typeof fields.severity === 'string';
  const error = fromServer ? new DatabaseError() : new Error();
  Object.assign(error, fields);
  error.name = described.name;
  error.message = described.message;
  return error;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Waits for the worker's PGlite to open, then serves the SqlDatabase interface through it. */
export async function connectPGliteWorker(worker: Worker): Promise<SqlDatabase> {
  const pending = new Map<number, Pending>();
  let nextId = OPEN_ID + 1;
  /** Why no call can be answered any more: closed, or the worker gone; set once. */
  let stopped: Error | null = null;
  let closing: Promise<void> | null = null;

  // Like PGlite in this thread, an idle database keeps no process alive; one with calls in flight does.
  const holdProcessWhileBusy = () => (pending.size > 0 ? worker.ref() : worker.unref());

  // A stopped client never talks to its worker again: the thread is ended whatever stopped it.
  const stop = (reason: Error) => {
    stopped ??= reason;
    for (const waiting of pending.values()) waiting.reject(stopped);
    pending.clear();
    holdProcessWhileBusy();
    void worker.terminate();
  };

  worker.on('message', (message: unknown) => {
    const reply = readReply(message);
    // A reply that cannot be read cannot be matched to its caller: stop, rather than leave one waiting forever.
    if (!reply) return stop(new Error('the PGlite worker sent an unreadable reply'));
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    holdProcessWhileBusy();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(rebuildError(reply.error));
  });
  worker.on('error', (error) =>
    stop(new Error(`the PGlite worker failed: ${error.message}`, { cause: error })),
  );
  worker.on('messageerror', () => stop(new Error('the PGlite worker sent an unreadable reply')));
  worker.on('exit', (code) => stop(new Error(`the PGlite worker stopped (exit code ${code})`)));

  const call = <T>(request: Request, id = nextId++): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (stopped) return reject(stopped);
      pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ ...request, id });
      } catch (error) {
        // Parameters that cannot be cloned (a function, a class instance's methods) fail here, for this call only.
        pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      holdProcessWhileBusy();
    });

  const opened = new Promise<unknown>((resolve, reject) => pending.set(OPEN_ID, { resolve, reject }));
  holdProcessWhileBusy();
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }

  const query = async <Row>(text: string, params?: unknown[], tx?: number) => ({
    // Structured clone builds the rows in the realm that owns the port; under jest's vm sandbox that is not the
    // caller's, so the list is copied into this module's realm and stays an ordinary `Array` to its callers.
    rows: Array.from(await call<Row[]>({ op: 'query', text, params, tx })),
  });

  const runBatch = async (request: Extract<Request, { op: 'batch' }>) => {
    const results = await call<unknown[][]>(request);
    // Copied into this realm, as query's rows are.
    return Array.from(results, (rows) => ({ rows: Array.from(rows) }));
  };

  return {
    dialect: 'pglite',
    threadUtilization: () => worker.performance.eventLoopUtilization(),
    query: (text, params) => query(text, params),
    // PGlite runs one transaction at a time, so each already sees one unchanging state: the mode changes nothing.
    async transaction(work, _mode, priority = 'queued') {
      const tx = nextId++;
      // Not awaited: the worker holds this transaction's statements until its BEGIN has run, so the first one
      // goes out now instead of one turn of this event loop later. Awaited before COMMIT (its failure first).
      const begun = call(priority === 'first' ? { op: 'begin', first: true } : { op: 'begin' }, tx);
      begun.catch(() => undefined);
      const executor: SqlTransaction = {
        query: (text, params) => query(text, params, tx),
        batch: (statements) => runBatch({ op: 'batch', statements, tx }),
      };
      let result;
      try {
        result = await work(executor);
      } catch (error) {
        await call({ op: 'rollback', tx }).catch(() => undefined);
        throw error;
      }
      await begun;
      await call({ op: 'commit', tx });
      return result;
    },
    batch: (statements, priority = 'queued') =>
      runBatch(priority === 'first' ? { op: 'batch', statements, first: true } : { op: 'batch', statements }),
    async exec(script) {
      await call({ op: 'exec', script });
    },
    close() {
      closing ??= (async () => {
        if (stopped) return;
        try {
          await call({ op: 'close' });
        } finally {
          stop(new Error('the PGlite database is closed'));
          await worker.terminate();
        }
      })();
      return closing;
    },
  };
}
