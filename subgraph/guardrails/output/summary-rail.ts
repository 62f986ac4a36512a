// The summary rail: a summary may shorten and reword its source, never add a number, amount, date or name
// to it (checkSummary). Not repairable in place: a model that invents facts is replaced by the next target,
// and the extractive floor serves when none passes.
import { checkSummary } from '../grounding';
import type { ReplyRail } from './reply-rails';

export const summaryRail = (source: string): ReplyRail => ({
  rail: 'summary',
  check(text) {
    const { outcome, missing } = checkSummary(text, source);
    if (outcome === 'pass') return { ok: true };
    const kinds = [...new Set(missing.map((fact) => fact.kind))].join(', ');
    return {
      ok: false,
      problem: `${missing.length} fact(s) absent from the source (${kinds})`,
      repair: null,
    };
  },
});
