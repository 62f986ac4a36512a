// ask: a question grounded in the tenant's documents. Without a model, the most relevant passages serve as
// DegradedAnswer; with nothing relevant, AIUnavailable / INSUFFICIENT_CONTEXT.
import { stage } from '../observability/stage';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { AskOutcome } from './feature-result';
import { askInputSchema, parseInput } from './inputs';
import { NO_MODEL, settle, startClock } from './settle';

export function createAskFeature(deps: FeatureDeps) {
  return async function ask(call: FeatureCall, rawInput: unknown): Promise<AskOutcome> {
    const input = parseInput(askInputSchema, rawInput);
    const elapsed = startClock();
    const passages = await stage(deps.metrics, 'retrieval.lexical', () =>
      deps.documents.searchLexical(call.tenant.tenantId, input.question, input.limit),
    );
    if (passages.length === 0) {
      return settle(deps, call, 'ask', elapsed, {
        kind: 'unavailable',
        reason: 'INSUFFICIENT_CONTEXT',
        message: 'Nothing in this tenant’s documents is relevant to the question',
        retryAfterSeconds: null,
      });
    }
    return settle(deps, call, 'ask', elapsed, {
      kind: 'degraded',
      value: {
        passages: passages.map(({ documentId, chunkId, title, snippet }) => ({
          documentId,
          chunkId,
          title,
          snippet,
        })),
      },
      reason: 'NO_PROVIDER_CONFIGURED',
      model: NO_MODEL,
    });
  };
}
