// The features, built once from their ports by the composition root. The query features sit behind the
// operation's AI budget; streams are one root field per operation, so they need none.
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { ResultMeta } from './feature-result';
import { createAiSamplesFeature } from './ai-samples';
import { createAskPipeline } from './ask';
import { budgeted, withinOperationBudget } from './budgeted-feature';
import { tracedFeature, tracedStream } from './feature-span';
import { createIngestFeature } from './ingest';
import { askInputSchema, searchInputSchema, summarizeInputSchema } from './inputs';
import { keptResult, meterResult, tierOf } from './meter-result';
import { admitStream } from '../limits/stream-admission';
import { runPipeline } from './model-pipeline';
import { createSearchFeature } from './search';
import { streamPipeline } from './stream-pipeline';
import { createSummarizePipeline } from './summarize';
import { createUsageFeature } from './usage';

/** A full summary made earlier, as stored (document_summaries). */
type KeptSummary = { value: { text: string }; meta: ResultMeta };

export function createFeatures(deps: FeatureDeps) {
  const ask = createAskPipeline(deps);
  const summarize = createSummarizePipeline(deps);
  const servedKept = tracedFeature(
    'summarize',
    (call, { kept, elapsedMs }: { kept: KeptSummary; elapsedMs: () => number }) =>
      meterResult(deps, call, 'summarize', elapsedMs, keptResult(kept)),
  );
  return {
    ingest: createIngestFeature(deps),
    search: budgeted(
      deps,
      {
        feature: 'search',
        inputSchema: searchInputSchema,
        workKey: ({ query, limit }) => [query, limit],
      },
      tracedFeature('search', createSearchFeature(deps)),
    ),
    summarize: budgeted(
      deps,
      {
        feature: 'summarize',
        inputSchema: summarizeInputSchema,
        // Query.summarize(documentId) and Document.aiSummary of that document are the same work.
        workKey: ({ documentId, text, maxWords }) => [
          documentId ?? null,
          text ?? null,
          maxWords ?? deps.summaryDefaultWords,
        ],
      },
      tracedFeature('summarize', (call, input) => runPipeline(deps, summarize, call, input)),
    ),
    ask: budgeted(
      deps,
      { feature: 'ask', inputSchema: askInputSchema, workKey: ({ question, limit }) => [question, limit] },
      tracedFeature('ask', (call, input) => runPipeline(deps, ask, call, input)),
    ),
    /**
     * A document's summary kept from its job (ingest's summarize) served to this call: metered and traced as a
     * cache hit of summarize, this request's, timed from `elapsedMs`'s start. Behind the operation's budget and
     * load shedding like every AI field (a cache hit is too), as the same work as summarize of that document at
     * the default length.
     */
    keptSummary: (call: FeatureCall, documentId: string, kept: KeptSummary, elapsedMs: () => number) =>
      withinOperationBudget(deps, call, 'summarize', [documentId, null, deps.summaryDefaultWords], () =>
        servedKept(call, { kept, elapsedMs }),
      ),
    summarizeStream: (call: FeatureCall, input: unknown, signal: AbortSignal) =>
      tracedStream(
        'summarizeStream',
        'summarize',
        call,
        streamPipeline(deps, summarize, call, input, signal),
      ),
    askStream: (call: FeatureCall, input: unknown, signal: AbortSignal) =>
      tracedStream('askStream', 'ask', call, streamPipeline(deps, ask, call, input, signal)),
    /**
     * A slot of the call's connection and one of its tenant's streams, for a subscription held open outside the
     * stream pipeline (aiJobUpdated reads its job while it waits, so it counts as a stream). A tenant refusal is
     * counted like a stream's (ai_limit_refusals_total{limit="streams"}).
     */
    admitStream: async (call: FeatureCall) => {
      const admission = await admitStream(deps, call);
      if (!admission.admitted && admission.limitOf === 'tenant')
        deps.metrics.limitRefusals.inc({ limit: 'streams', tier: tierOf(call) });
      return admission;
    },
    // Spend caps arrive with the limits layer; until then no tenant has a cap.
    usage: createUsageFeature(deps),
    aiSamples: createAiSamplesFeature(deps),
  };
}

export type Features = ReturnType<typeof createFeatures>;
