// The features, built once from their ports by the composition root.
import { createAskFeature } from './ask';
import type { FeatureDeps } from './feature-deps';
import { createIngestFeature } from './ingest';
import { createSearchFeature } from './search';
import { createStreamFeatures } from './streams';
import { createSummarizeFeature } from './summarize';
import { createUsageFeature } from './usage';

export function createFeatures(deps: FeatureDeps) {
  const ask = createAskFeature(deps);
  const summarize = createSummarizeFeature(deps);
  const streams = createStreamFeatures(deps, ask, summarize);
  return {
    ingest: createIngestFeature(deps),
    search: createSearchFeature(deps),
    summarize: summarize.summarize,
    ask: ask.ask,
    askStream: streams.askStream,
    summarizeStream: streams.summarizeStream,
    // Spend caps arrive with the limits layer; until then no tenant has a cap.
    usage: createUsageFeature(deps, () => null),
  };
}

export type Features = ReturnType<typeof createFeatures>;
