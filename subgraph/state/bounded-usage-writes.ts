// The usage ledger's write as a request sees it when the ledger is remote (Redis): waited for a short while,
// so that `usage` read right after shows it on a healthy server, but never for as long as a hung server holds
// a command (ioredis's command timeout). A write still on its way when the wait ends goes on without the
// request: the ledger call rejects with UsageWriteOutstanding, which carries the write, and the caller learns
// from it whether the event was kept (meter-result.ts logs one that was not confirmed, and counts it in
// Metrics.usageLedgerWritesUnconfirmed).
import { within } from '../gateway/resilience/within';
import type { UsageLedger } from './usage-ledger';

/** How long a request waits for its ledger write on Redis: a healthy server answers in about a millisecond. */
export const USAGE_WRITE_WAIT_MS = 100;

/** The ledger write a request stopped waiting for, still on its way: it settles (kept or lost) later. */
export class UsageWriteOutstanding extends Error {
  override readonly name = 'UsageWriteOutstanding';

  constructor(
    readonly write: Promise<void>,
    readonly waitedMs: number,
  ) {
    super(`the usage ledger write did not finish within ${waitedMs} ms; it goes on without the request`);
  }
}

/** `ledger` whose record() waits at most `waitMs`, then rejects with UsageWriteOutstanding (the write goes on). */
export function boundedUsageWrites(ledger: UsageLedger, waitMs = USAGE_WRITE_WAIT_MS): UsageLedger {
  return {
    read: (tenantId, at) => ledger.read(tenantId, at),
    ping: () => ledger.ping(),
    close: () => ledger.close(),
    async record(event) {
      const write = ledger.record(event);
      // Caught here too, so that a write failing after the caller's wait is never an unhandled rejection: the
      // caller reads its outcome from UsageWriteOutstanding.write.
      write.catch(() => undefined);
      const done = await within(
        write.then(() => true),
        waitMs,
      );
      if (done === null) throw new UsageWriteOutstanding(write, waitMs);
    },
  };
}

/** Why a ledger write is unconfirmed: it failed, or it timed out (Redis may yet apply it: see below). */
export type UnconfirmedReason = 'failed' | 'timed_out';

/**
 * A timed-out Redis command may still be applied: a hung server runs what it took in once it resumes, and
 * ioredis sends the commands of a connection that closed unanswered once more on the next one.
 */
export const unconfirmedReasonOf = (error: unknown): UnconfirmedReason =>
  error instanceof Error && /timed out/i.test(error.message) ? 'timed_out' : 'failed';
