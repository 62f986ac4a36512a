// The one SQL layer both stores share: PGlite embedded or a pg pool, with identical SQL and migrations.
import type { UtilizationReader } from '../../observability/loop-utilization';

export interface SqlExecutor {
  query<Row>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}

/** An open transaction: statements one by one, or several sent together (one round trip, one message). */
export interface SqlTransaction extends SqlExecutor {
  /**
   * Runs `statements` in order and returns each one's rows; the first failure rejects (the transaction is then
   * aborted: the caller's work throws and it is rolled back).
   */
  batch(statements: readonly SqlStatement[]): Promise<{ rows: unknown[] }[]>;
}

/**
 * 'read-write': PostgreSQL's default, READ COMMITTED, where each statement sees what committed before it began.
 * 'read-only-snapshot': REPEATABLE READ READ ONLY, where every statement sees the snapshot of the first; for
 * reads of several statements that must agree with each other (a search's match passes).
 */
export type TransactionMode = 'read-write' | 'read-only-snapshot';

/** One statement of a batch. */
export interface SqlStatement {
  text: string;
  params?: unknown[];
}

/**
 * 'queued': in turn. 'first': a short transaction a request is waiting on (a job's start), begun ahead of
 * the statements and transactions still waiting where the store runs one at a time (PGlite's one connection),
 * so it does not wait behind a backlog of background work; the one running is never interrupted.
 */
export type TransactionPriority = 'queued' | 'first';

export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'pglite' | 'postgres';
  /**
   * How busy the thread that runs the queries is, where it is in this process (PGlite's worker); absent for a
   * server of its own, whose load is not this process's to weigh.
   */
  readonly threadUtilization?: UtilizationReader;
  transaction<T>(
    work: (tx: SqlTransaction) => Promise<T>,
    mode?: TransactionMode,
    priority?: TransactionPriority,
  ): Promise<T>;
  /**
   * Runs `statements` in order in one read-write transaction and returns each one's rows; any failure rolls it
   * all back. Unlike `transaction`, nothing waits on the caller between statements: on PGlite the whole batch is
   * one message to its thread, answered once committed, so a busy event loop delays it once, not per statement.
   */
  batch(statements: readonly SqlStatement[], priority?: TransactionPriority): Promise<{ rows: unknown[] }[]>;
  /**
   * Runs a script of several statements without parameters (migrations, pg-boss's locked scripts). A script
   * that fails midway has whatever transaction it opened rolled back.
   */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}
