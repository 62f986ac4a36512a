// Wakes whoever watches a job (aiJobUpdated) when it may have changed: at once for a change made on this
// replica, through PostgreSQL's LISTEN/NOTIFY for one made on another (the job store NOTIFYs "<job id>
// <status>", never tenant content), and after a poll interval in any case, the fallback for a missed
// notification and for PGlite, where one process owns the data folder so every change is this replica's own.
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { isJobStatus } from './job-record';
import type { JobStatus } from './job-record';

export interface JobEvents {
  /** Announces a change this replica made to the job: the status it now has. */
  changed(jobId: string, status: JobStatus): void;
  /**
   * Resolves at the job's next announced change, with the status announced, or with null after `pollMs` or
   * when `signal` aborts, whichever comes first (or for a notice without a status, from an older replica).
   * Listening starts on the call: call it before reading the job, so a change between the two is not missed.
   */
  nextChange(jobId: string, pollMs: number, signal?: AbortSignal): Promise<JobStatus | null>;
  close(): Promise<void>;
}

export interface JobEventOptions {
  /** PostgreSQL to LISTEN on, with the store's channel; absent on PGlite. */
  listen?: { connectionString: string; channel: string };
  /** The listening connection failed: watchers fall back to polling until the next start. */
  onListenError: (error: unknown) => void;
}

export async function createJobEvents(options: JobEventOptions): Promise<JobEvents> {
  const emitter = new EventEmitter();
  // One listener per watched job and subscription: many subscriptions are normal, not a leak.
  emitter.setMaxListeners(0);
  let client: Client | null = null;
  if (options.listen) {
    const listening = new Client({ connectionString: options.listen.connectionString });
    listening.on('error', (error) => {
      options.onListenError(error);
      client = null;
      void listening.end().catch(() => undefined);
    });
    listening.on('notification', (message) => {
      if (message.channel !== options.listen?.channel || !message.payload) return;
      const [jobId = '', status = ''] = message.payload.split(' ');
      emitter.emit(jobId, isJobStatus(status) ? status : null);
    });
    await listening.connect();
    await listening.query(`LISTEN "${options.listen.channel}"`);
    client = listening;
  }
  return {
    changed: (jobId, status) => void emitter.emit(jobId, status),
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
      const open = client;
      client = null;
      emitter.removeAllListeners();
      await open?.end().catch(() => undefined);
    },
  };
}
