// What one rail did to a request: nothing to do (pass), repaired the text (fixed), refused it (rejected), let it
// through and counted it (flagged), or could give no verdict and let it through (unavailable: the guard model
// failed or replied something unreadable, so an outage does not read as clean traffic). Each outcome goes to the
// counter, the request's log line and, when it changes the result, the result's reason.
import type { Metrics } from '../observability/metrics';

export type RailName =
  | 'input'
  | 'topics'
  | 'guard'
  | 'retrieval'
  | 'ingest_screen'
  | 'format'
  | 'citations'
  | 'grounding'
  | 'echo'
  | 'summary'
  | 'redaction';

export type RailVerdict = 'pass' | 'unavailable' | 'fixed' | 'rejected' | 'flagged';

export interface RailOutcome {
  rail: RailName;
  outcome: RailVerdict;
  /** Why, in words safe for a log: counts and categories, never the tenant's text. */
  detail?: string;
}

export function countRails(metrics: Metrics, outcomes: readonly RailOutcome[]): void {
  for (const { rail, outcome } of outcomes) metrics.guardrailOutcomes.inc({ rail, outcome });
}

/** The log form: `{ grounding: 'fixed: 2 sentences dropped', input: 'pass' }`. */
export function railsForLog(outcomes: readonly RailOutcome[]): Record<string, string> {
  return Object.fromEntries(
    outcomes.map(({ rail, outcome, detail }) => [rail, detail ? `${outcome}: ${detail}` : outcome]),
  );
}
