// The features, built once from their ports by the composition root.
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import { createAskPipeline } from './ask';
import { createIngestFeature } from './ingest';
import { runPipeline } from './model-pipeline';
import { createSearchFeature } from './search';
import { streamPipeline } from './stream-pipeline';
import { createSummarizePipeline } from './summarize';
import { createUsageFeature } from './usage';

export function createFeatures(deps: FeatureDeps) {
  const ask = createAskPipeline(deps);
  const summarize = createSummarizePipeline(deps);
  return {
    ingest: createIngestFeature(deps),
    search: createSearchFeature(deps),
    summarize: (call: FeatureCall, input: unknown) => runPipeline(deps, summarize, call, input),
    ask: (call: FeatureCall, input: unknown) => runPipeline(deps, ask, call, input),
    summarizeStream: (call: FeatureCall, input: unknown, signal: AbortSignal) =>
      streamPipeline(deps, summarize, call, input, signal),
    askStream: (call: FeatureCall, input: unknown, signal: AbortSignal) =>
      streamPipeline(deps, ask, call, input, signal),
    // Spend caps arrive with the limits layer; until then no tenant has a cap.
    usage: createUsageFeature(deps, () => null),
  };
}

export type Features = ReturnType<typeof createFeatures>;
