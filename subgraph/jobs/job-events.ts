// Wakes whoever watches a job (aiJobUpdated, a run's cancel watch) when it may have changed: at once for a
// change made on this replica, through PostgreSQL's LISTEN/NOTIFY for one made on another (the job store
// NOTIFYs "<job id> <status>", never tenant content), and after a poll interval in any case, the fallback for a
// missed notification and for PGlite, where one process owns the data folder so every change is this replica's
// own. A lost listening connection (a database restart or failover, a terminated backend) is opened again with
// backoff, and once it is back every watcher is woken to read its job again.
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { POSTGRES_KEEPALIVE } from '../retrieval/store/pg-database';
import { isJobStatus } from './job-record';
import type { JobStatus } from './job-record';

export interface JobEvents {
  /** Announces a change this replica made to the job: the status it now has. */
  changed(jobId: string, status: JobStatus): void;
  /**
   * Resolves at the job's next announced change, with the status announced, or with null after `pollMs` or
   * when `signal` aborts, whichever comes first (or for a notice without a status, from an older replica).
   * Listening starts on the call: call it before reading the job, so a change between the two is not missed.
   * Also resolves with null when the notifications' connection is back after a loss: whatever changed
   * meanwhile was announced to no one, so the watcher reads the job again.
   */
  nextChange(jobId: string, pollMs: number, signal?: AbortSignal): Promise<JobStatus | null>;
  /**
   * While the notifications' connection is open, which opening of it this is (1, then 2 after a loss, …); null
   * without one (PGlite, or lost and not back yet). A watcher may then trust notifications instead of polling,
   * and, seeing the number change, knows it was reopened since its last look, whatever woke it.
   */
  listening(): number | null;
  close(): Promise<void>;
}

interface ListenTarget {
  connectionString: string;
  channel: string;
}

export interface JobEventOptions {
  /** PostgreSQL to LISTEN on, with the store's channel; absent on PGlite. */
  listen?: ListenTarget;
  /**
   * The listening connection failed (or could not be opened again): watchers poll until it is back, which is
   * tried again after a backoff.
   */
  onListenError: (error: unknown) => void;
  /** Listening again after a loss: every watcher has been told to read its job again. */
  onListenRestored?: () => void;
}

/** A lost connection is opened again after 100 ms, then 200 ms, … up to 10 s between tries. */
const RECONNECT = { initialMs: 100, maxMs: 10_000 };
/** One attempt to open the listening connection, at most. */
const CONNECT_TIMEOUT_MS = 10_000;

export async function createJobEvents(options: JobEventOptions): Promise<JobEvents> {
  const emitter = new EventEmitter();
  // One listener per watched job and subscription: many subscriptions are normal, not a leak.
  emitter.setMaxListeners(0);
  let client: Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let nextWaitMs = RECONNECT.initialMs;
  /** Times the listening connection was opened; listening() reports it while `client` is open. */
  let openings = 0;

  /** Opens the listening connection; once open, a loss listens again after a backoff (until close()). */
  async function openListening(target: ListenTarget): Promise<void> {
    // A connection attempt that hangs (a database failing over) is given up and tried again. An open one
    // sends no query to time out: TCP keepalive finds it dead when its server vanished without a reset (a
    // failover that blackholes the old host), and the loss is handled as any other.
    const listening = new Client({
      connectionString: target.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...POSTGRES_KEEPALIVE,
    });
    // A failure while opening is the caller's (thrown); only an open connection's loss is handled here.
    let opened = false;
    let lost = false;
    const onLost = (error: unknown) => {
      if (lost || !opened) return;
      lost = true;
      if (client === listening) client = null;
      void listening.end().catch(() => undefined);
      if (closed) return;
      options.onListenError(error);
      scheduleListen(target);
    };
    listening.on('error', onLost);
    // Ended by the server without an error first (a restart): the same loss.
    listening.on('end', () => onLost(new Error('the job notifications connection ended')));
    listening.on('notification', (message) => {
      if (message.channel !== target.channel || !message.payload) return;
      const [jobId = '', status = ''] = message.payload.split(' ');
      emitter.emit(jobId, isJobStatus(status) ? status : null);
    });
    try {
      await listening.connect();
      await listening.query(`LISTEN "${target.channel}"`);
    } catch (error) {
      await listening.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await listening.end().catch(() => undefined);
      return;
    }
    opened = true;
    openings += 1;
    client = listening;
  }

  function scheduleListen(target: ListenTarget): void {
    const waitMs = nextWaitMs;
    nextWaitMs = Math.min(RECONNECT.maxMs, nextWaitMs * 2);
    // Jittered: replicas that lost the database together do not all come back in the same instant.
    retry = setTimeout(() => void relisten(target), waitMs / 2 + (Math.random() * waitMs) / 2);
    retry.unref();
  }

  async function relisten(target: ListenTarget): Promise<void> {
    retry = undefined;
    if (closed) return;
    try {
      await openListening(target);
    } catch (error) {
      if (closed) return;
      options.onListenError(error);
      scheduleListen(target);
      return;
    }
    if (closed) return;
    nextWaitMs = RECONNECT.initialMs;
    // What changed while nobody listened was announced to no one: every watcher reads its job again now.
    for (const jobId of emitter.eventNames()) emitter.emit(jobId, null);
    options.onListenRestored?.();
  }

  if (options.listen) await openListening(options.listen);
  return {
    changed: (jobId, status) => void emitter.emit(jobId, status),
    listening: () => (client ? openings : null),
    nextChange(jobId, pollMs, signal) {
      return new Promise<JobStatus | null>((resolve) => {
        const done = (status: JobStatus | null = null) => {
          clearTimeout(timer);
          emitter.off(jobId, announced);
          signal?.removeEventListener('abort', ended);
          resolve(status);
        };
        const announced = (status: JobStatus | null) => done(status);
        const ended = () => done(null);
        const timer = setTimeout(ended, pollMs);
        emitter.on(jobId, announced);
        signal?.addEventListener('abort', ended, { once: true });
        if (signal?.aborted) ended();
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const open = client;
      client = null;
      emitter.removeAllListeners();
      await open?.end().catch(() => undefined);
    },
  };
}
