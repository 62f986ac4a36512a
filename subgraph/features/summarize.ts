// summarize: one ingested document (by id, through the request's batched loader) or a given text.
// Without a model, an extractive summary (ranked sentences within maxWords) serves as DegradedSummary.
import { stage } from '../observability/stage';
import { extractiveSummary } from './extractive/summarize-extractive';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { SummarizeOutcome } from './feature-result';
import { parseInput, summarizeInputSchema } from './inputs';
import { NO_MODEL, settle, startClock } from './settle';

export function createSummarizeFeature(deps: FeatureDeps) {
  return async function summarize(call: FeatureCall, rawInput: unknown): Promise<SummarizeOutcome> {
    const input = parseInput(summarizeInputSchema, rawInput);
    const maxWords = input.maxWords ?? deps.summaryDefaultWords;
    const elapsed = startClock();
    let text: string;
    if (input.documentId) {
      const id = input.documentId;
      const document = await stage(deps.metrics, 'retrieval.document', () => call.loadDocument(id));
      if (!document) {
        return settle(deps, call, 'summarize', elapsed, {
          kind: 'unavailable',
          reason: 'NOT_FOUND',
          message: 'No such document for this tenant',
          retryAfterSeconds: null,
        });
      }
      text = `${document.title}.\n\n${document.body}`;
    } else {
      text = input.text ?? '';
    }
    const summary = await stage(deps.metrics, 'extractive.summarize', async () =>
      extractiveSummary(text, maxWords),
    );
    return settle(deps, call, 'summarize', elapsed, {
      kind: 'degraded',
      value: { text: summary },
      reason: 'NO_PROVIDER_CONFIGURED',
      model: NO_MODEL,
    });
  };
}
