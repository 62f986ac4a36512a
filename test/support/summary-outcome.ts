// A full summarize outcome of `text`, as the summarize feature returns one: for the suites that hand the long
// summary a summarize step of their own (long-summary.ts takes it as a dependency).
import type { SummarizeOutcome } from '../../subgraph/features/feature-result';

export const RESULT_META = {
  requestId: 'r',
  provider: 'p',
  model: 'm',
  promptVersion: 'v',
  cached: false,
  latencyMs: 1,
  costUsd: 0,
};

export const fullSummary = (text: string): SummarizeOutcome => ({
  kind: 'full',
  value: { text },
  meta: RESULT_META,
});
