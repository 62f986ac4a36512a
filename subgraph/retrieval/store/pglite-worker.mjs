// The embedded PostgreSQL (PGlite, with pgvector) on a worker thread, so a heavy statement never blocks the
// main thread's event loop. Plain JavaScript so that jest, tsx and the compiled dist/ all load it as it is.
// The main thread's side, with the message shapes, is pglite-database.ts.
//
// PGlite is one connection: requests run one at a time from a FIFO queue, and an open transaction holds the
// queue until it commits or rolls back, so no other caller's statement runs inside it. Only the statements
// of that transaction (tagged with its id) run meanwhile. A transaction begun `first` (a short one a request
// waits on, TransactionPriority in sql.ts) queues ahead of everything waiting that is not itself first.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { Blob } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { setImmediate } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import { preparedStatements } from './pglite-statements.mjs';

/** The id the main thread waits on for the database to open. */
const OPEN_ID = 0;

const port = parentPort;
if (!port) throw new Error('pglite-worker.mjs runs as a worker thread only');

/**
 * @type {{ id: number, run: () => Promise<void>, first: boolean }[]} Each task answers its request itself. The
 * `first` tasks (a transaction a request waits on) stand at the front, in their own arrival order.
 */
const queue = [];
/** The open transactions by id, each with the way to end it: `settle({ op, id })` of commit or rollback. */
const transactions = new Map();
/**
 * The requests sent for a transaction begun but not open yet (its begin waits in the queue): the main thread
 * sends its first statements without waiting for the begin's answer. Run in order once it opens.
 */
const waitingForBegin = new Map();
/** Runs one statement, prepared once it repeats (pglite-statements.mjs); set once PGlite has opened. */
let runQuery;
const IN_TRANSACTION = { inTransaction: true };
const ALONE = { inTransaction: false };
/** Whether a task runs; `draining` settles once the queue has emptied. */
let running = false;
let draining = Promise.resolve();
let closing = false;

function reply(id, value) {
  port.postMessage({ id, ok: true, value });
}

/** Own fields a database error carries (code, severity, detail, routine, ...), where they can be cloned. */
function cloneableFields(error) {
  const fields = {};
  for (const [key, value] of Object.entries(error)) {
    try {
      fields[key] = globalThis.structuredClone(value);
    } catch {
      // A field that cannot cross threads (a function, a handle) is dropped; the message and code still do.
    }
  }
  return fields;
}

function fail(id, error) {
  const described =
    error instanceof Error
      ? { name: error.name, message: error.message, fields: cloneableFields(error) }
      : { name: 'Error', message: String(error), fields: {} };
  port.postMessage({ id, ok: false, error: described });
}

const closedError = () => new Error('the PGlite database is closed');

/** One turn of this thread's event loop: the messages that arrived meanwhile are read into the queue. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

async function drain() {
  try {
    while (queue.length > 0) {
      await queue.shift().run();
      // PGlite never yields to the event loop (its WebAssembly runs synchronously, its promises resolve as
      // microtasks), so without this turn the messages sent while the queue drains would be read only once it
      // is empty: a `first` request could never pass the work queued before it.
      await nextTurn();
    }
  } finally {
    running = false;
  }
}

function enqueue(id, run, first = false) {
  if (closing) return fail(id, closedError());
  if (first) {
    const behind = queue.findIndex((task) => !task.first);
    queue.splice(behind === -1 ? queue.length : behind, 0, { id, run, first });
  } else queue.push({ id, run, first });
  if (running) return;
  running = true;
  draining = drain();
}

/** A task that answers request `id` with what `work` returns, or with its error. */
function answering(id, work) {
  return async () => {
    try {
      reply(id, await work());
    } catch (error) {
      fail(id, error);
    }
  };
}

/**
 * Begins a transaction that stays open for the main thread's statements. The task answers the begin request
 * once BEGIN ran, and ends when a commit or rollback settles it; that request gets the outcome of COMMIT or
 * ROLLBACK. A close settles it with no request to answer.
 */
function beginTask(db, id) {
  return async () => {
    let begun = false;
    let ending = null;
    try {
      await db.transaction(async (tx) => {
        ending = await new Promise((settle) => {
          if (closing) return settle({ op: 'rollback', id: null });
          transactions.set(id, { tx, settle });
          begun = true;
          reply(id, null);
          const waiting = waitingForBegin.get(id) ?? [];
          waitingForBegin.delete(id);
          for (const message of waiting) inTransaction(message);
        });
        transactions.delete(id);
        if (ending.op === 'rollback') await tx.rollback();
      });
      if (!begun) {
        fail(id, closedError());
        failWaiting(id, closedError());
      } else if (ending.id !== null) reply(ending.id, null);
    } catch (error) {
      transactions.delete(id);
      failWaiting(id, error);
      const answered = begun ? ending?.id : id;
      if (answered !== null && answered !== undefined) fail(answered, error);
    }
  };
}

/** The requests that waited for a transaction that never opened (closed, or its BEGIN failed) fail with it. */
function failWaiting(id, error) {
  for (const message of waitingForBegin.get(id) ?? []) fail(message.id, error);
  waitingForBegin.delete(id);
}

/** A statement, batch, commit or rollback of transaction `message.tx`: run, held until it opens, or refused. */
function inTransaction(message) {
  const open = transactions.get(message.tx);
  if (open) {
    switch (message.op) {
      case 'query':
        return void answering(
          message.id,
          async () => (await runQuery(message.text, message.params, IN_TRANSACTION)).rows,
        )();
      case 'batch':
        return void answering(message.id, () => runStatements(message.statements))();
      default:
        return open.settle({ op: message.op, id: message.id });
    }
  }
  const waiting = waitingForBegin.get(message.tx);
  if (waiting) return void waiting.push(message);
  fail(message.id, new Error(`transaction ${message.tx} is not open`));
}

/** Each statement's rows, in order, in the open transaction; the first failure ends the run (and aborts it). */
async function runStatements(statements) {
  const results = [];
  for (const statement of statements)
    results.push((await runQuery(statement.text, statement.params, IN_TRANSACTION)).rows);
  return results;
}

/** Refuses what waits in the queue, rolls back open transactions, lets the running task end, closes PGlite. */
async function close(db, id) {
  closing = true;
  for (const task of queue.splice(0)) fail(task.id, closedError());
  for (const id of [...waitingForBegin.keys()]) failWaiting(id, closedError());
  for (const open of transactions.values()) open.settle({ op: 'rollback', id: null });
  await draining;
  try {
    await db.close();
    reply(id, null);
  } catch (error) {
    fail(id, error);
  }
}

function handle(db, message) {
  if (closing) return fail(message.id, closedError());
  switch (message.op) {
    case 'query':
      if (message.tx !== undefined) return inTransaction(message);
      return enqueue(
        message.id,
        answering(message.id, async () => (await runQuery(message.text, message.params, ALONE)).rows),
      );
    case 'exec':
      return enqueue(
        message.id,
        answering(message.id, async () => {
          try {
            await db.exec(message.script);
          } catch (error) {
            // A script that opened a transaction (BEGIN; …; COMMIT) and failed midway leaves it open and aborted;
            // ended here, in the same task, before the next caller's statement runs on this one connection.
            await db.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
          return null;
        }),
      );
    case 'batch':
      if (message.tx !== undefined) return inTransaction(message);
      // One task, so no other request runs between its statements; PGlite's transaction rolls back on a throw.
      return enqueue(
        message.id,
        answering(message.id, () => db.transaction(() => runStatements(message.statements))),
        message.first === true,
      );
    case 'begin':
      waitingForBegin.set(message.id, []);
      return enqueue(message.id, beginTask(db, message.id), message.first === true);
    case 'commit':
    case 'rollback':
      return inTransaction(message);
    case 'close':
      return void close(db, message.id);
    default:
      return fail(message.id, new Error(`unknown request ${String(message.op)}`));
  }
}

try {
  // An in-memory database may start from a template (a tarball of a freshly initialised data folder, PGlite's
  // dumpDataDir) instead of running initdb, which is most of an open: see StoreConfig.pgliteTemplate.
  const template = workerData.template ? new Blob([await readFile(workerData.template)]) : undefined;
  const db = await PGlite.create(workerData.dataDir, {
    extensions: { vector },
    ...(template ? { loadDataDir: template } : {}),
  });
  runQuery = preparedStatements(db);
  port.on('message', (message) => handle(db, message));
  reply(OPEN_ID, null);
} catch (error) {
  fail(OPEN_ID, error);
}
