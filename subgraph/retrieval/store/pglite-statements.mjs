// Statements PGlite parses and plans once: the PGlite worker's way to run a query (pglite-worker.mjs). PGlite's
// own `query()` sends every statement as an unnamed one, so PostgreSQL parses, analyses and plans it on every
// call; for the job queue's statements that was most of their cost (pg-boss's fetch: 0.54 ms a call, 0.07 ms
// prepared, in a loop against a 20,000-row queue). A text seen a second time is prepared under a name of its
// own and later calls only bind and execute it. PostgreSQL keeps a prepared statement correct by itself: it
// re-plans after DDL on what the statement uses, on a change of role (row level security) or of search_path.
//
// The messages are PGlite's own query, step for step (parse, describe, bind, describe, execute, sync), with a
// statement name where the text is prepared, and they run under PGlite's query lock as its query() does, so a
// statement never interleaves with another or with a transaction's BEGIN and COMMIT. Plain JavaScript, as the
// worker is.
import { parse, protocol } from '@electric-sql/pglite';
import { repeatedTexts } from './repeated-texts.cjs';

const { serialize } = protocol;

/** Texts kept prepared; the least recently used is closed to make room. */
export const PREPARED_CAPACITY = 256;

/**
 * A query runner over `db` with its own cache of prepared statements: `run(text, params, { inTransaction })`
 * gives what `db.query` gives (its rows, fields and command), and throws what it throws.
 */
export function preparedStatements(db, { capacity = PREPARED_CAPACITY } = {}) {
  /** By text, least recently used first (a Map keeps insertion order; a use re-inserts). */
  const prepared = new Map();
  const isRepeat = repeatedTexts();
  let nextName = 1;

  const step = (message) => db.execProtocolStream(message, { syncToFs: false });

  /** Statements forgotten after a failure, closed before the next statement runs (not inside the failure). */
  const closing = [];
  const isStalePlan = (error) =>
    error instanceof Error && /cached plan must not change result type/.test(error.message);

  /** The prepared statement for `text`, preparing it on its second sighting; null to run it unnamed. */
  async function statementFor(text, messages) {
    // Checked before taking any: almost every statement finds none, and splice(0) would copy an empty list.
    while (closing.length > 0)
      messages.push(...(await step(serialize.close({ type: 'S', name: closing.shift() }))));
    const known = prepared.get(text);
    if (known) {
      prepared.delete(text);
      prepared.set(text, known);
      return known;
    }
    if (!isRepeat(text)) return null;
    if (prepared.size >= capacity) {
      const [oldestText, oldest] = prepared.entries().next().value;
      prepared.delete(oldestText);
      messages.push(...(await step(serialize.close({ type: 'S', name: oldest.name }))));
    }
    const name = `ai_s${nextName++}`;
    const parsed = await step(
      joined(serialize.parse({ name, text }), serialize.describe({ type: 'S', name })),
    );
    messages.push(...parsed);
    const statement = { name, types: parse.parseDescribeStatementResults(parsed) };
    prepared.set(text, statement);
    return statement;
  }

  /** A parameter as PGlite's query() sends it: by the serializer of the type PostgreSQL inferred, or as text. */
  function serializeParam(param, oid) {
    if (param === null || param === undefined) return null;
    const serializer = db.serializers[oid];
    return serializer ? serializer(param) : param.toString();
  }

  async function runLocked(text, params) {
    const messages = [];
    let statement = null;
    let synced = false;
    try {
      statement = await statementFor(text, messages);
      if (!statement) {
        const parsed = await step(joined(serialize.parse({ text }), serialize.describe({ type: 'S' })));
        messages.push(...parsed);
        statement = { name: undefined, types: parse.parseDescribeStatementResults(parsed) };
      }
      const values = params.map((param, i) => serializeParam(param, statement.types[i]));
      // The rest in one call into PGlite: it runs every message of the buffer, then throws the first error.
      synced = true;
      messages.push(
        ...(await step(
          joined(
            serialize.bind({ statement: statement.name, values }),
            serialize.describe({ type: 'P' }),
            serialize.execute({}),
            serialize.sync(),
          ),
        )),
      );
    } catch (error) {
      if (statement?.name && isStalePlan(error)) forget(text, statement);
      throw error;
    } finally {
      // After an error PostgreSQL skips what follows until a Sync, which also ends an implicit transaction.
      if (!synced) messages.push(...(await step(serialize.sync())));
    }
    return parse.parseResults(messages, db.parsers)[0];
  }

  /** Protocol messages as one buffer, for one call into PGlite. */
  function joined(...parts) {
    const buffer = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      buffer.set(part, offset);
      offset += part.length;
    }
    return buffer;
  }

  /**
   * A statement whose plan no longer matches its table (a migration changed the columns it returns) fails the
   * same way on every call: it is closed and forgotten, so this call fails and the next one prepares it anew.
   */
  function forget(text, statement) {
    if (prepared.get(text) !== statement) return;
    prepared.delete(text);
    closing.push(statement.name);
  }

  return async function run(text, params = [], { inTransaction }) {
    // PGlite's own locks, as its query() and a transaction's query() take them: nothing else reaches the
    // protocol between this statement's messages, and one outside a transaction waits for any transaction.
    const locked = () => db._runExclusiveQuery(() => runLocked(text, params));
    const result = await (inTransaction ? locked() : db._runExclusiveTransaction(locked));
    if (!inTransaction) await db.syncToFs();
    return result;
  };
}
