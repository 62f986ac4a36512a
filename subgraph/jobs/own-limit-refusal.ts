// A background job's run refused by one of our own limits (its tenant's requests or tokens per minute, this
// replica's load shedding or overload) is no failure of the job's: the runner puts it back to start again once
// the limit has room, spending no try, until it has waited REFUSED_WAIT_LIMIT_SECONDS since it was queued.
import { unreachable } from '../errors/unreachable';
import type { DegradationReason } from '../gateway/degradation-reason';
import type { JobOutcome } from './job-record';

/**
 * The longest a job waits, since it was queued, for our own limits to let it run: a tenant whose jobs outrun its
 * rate for longer than this (or a replica overloaded as long) has them end with the refusal, its message saying
 * so, rather than have them wait on for ever. Well inside pg-boss's retention of a queued job (14 days).
 */
export const REFUSED_WAIT_LIMIT_SECONDS = 24 * 60 * 60;

/** The wait before asking again after a refusal of ours that names none (the limits could not be checked). */
const REFUSED_RETRY_DEFAULT_SECONDS = 5;

/**
 * The seconds after which a run refused by one of our own limits may ask again; null for any other outcome,
 * kept as the job's result. AIUnavailable RATE_LIMITED is never the provider's doing: a provider's own rate
 * limit, outage or timeout ends in the feature's floor (a Degraded* result, which completes the job), and only
 * our refusals are AIUnavailable RATE_LIMITED: the tenant's requests or tokens per minute and this replica's
 * overload (the gateway's refusal, model-pipeline.ts refusedResult), load shedding (shed-gate.ts), the
 * operation's AI budget (operation-budget.ts; a job's is sized never to run out). None is the job's failure.
 */
export function refusedByOurLimits(outcome: JobOutcome): number | null {
  if (outcome.kind !== 'unavailable') return null;
  return ourTransientRefusal(outcome.reason)
    ? Math.max(1, outcome.retryAfterSeconds ?? REFUSED_RETRY_DEFAULT_SECONDS)
    : null;
}

function ourTransientRefusal(reason: DegradationReason): boolean {
  switch (reason) {
    // Our limits refused it, or could not be checked (Redis away: today the floor, should it ever refuse
    // outright): both ours, and passing.
    case 'RATE_LIMITED':
    case 'LIMITS_UNAVAILABLE':
      return true;
    // The provider's failures (never AIUnavailable today), the tenant's spend cap (for its whole period, not
    // a minute), and what no wait changes: a rail's refusal, no context, no document, no provider for it.
    case 'PROVIDER_ERROR':
    case 'PROVIDER_TIMEOUT':
    case 'CIRCUIT_OPEN':
    case 'BUDGET_EXCEEDED':
    case 'GUARDRAIL_REJECTED':
    case 'NO_PROVIDER_CONFIGURED':
    case 'PROVIDER_NOT_ALLOWED':
    case 'SEMANTIC_UNAVAILABLE':
    case 'INSUFFICIENT_CONTEXT':
    case 'NOT_FOUND':
      return false;
    default:
      return unreachable(reason);
  }
}

/** The refusal a job ends with once it has waited too long for our limits: its message says why. */
export const refusedForGood = (outcome: JobOutcome, waitedSeconds: number): JobOutcome =>
  outcome.kind === 'unavailable'
    ? {
        ...outcome,
        message:
          `${outcome.message} The job has waited ${Math.round(waitedSeconds / 60)} min since it was queued ` +
          `for room under this service's limits, the most a job waits (${REFUSED_WAIT_LIMIT_SECONDS / 3600} h); ` +
          'start it again later.',
      }
    : outcome;
