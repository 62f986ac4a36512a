// summarize: one ingested document (by id, through the request's batched loader) or a given text, by the
// model through the gateway; when every model fails or none is configured, an extractive summary (ranked
// sentences within maxWords) serves as DegradedSummary with the reason.
import { hashScope, normalizeForCache } from '../gateway/cache/completion-cache';
import type { GatewayCall, GatewayOutcome } from '../gateway/gateway';
import { stage } from '../observability/stage';
import { extractiveSummary } from './extractive/summarize-extractive';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { SummarizeOutcome } from './feature-result';
import { parseInput, summarizeInputSchema } from './inputs';
import type { Draft } from './settle';
import { NO_MODEL, settle, startClock } from './settle';
import { capWords } from './word-cap';

export interface SummarizeSource {
  text: string;
  maxWords: number;
  gatewayCall: GatewayCall;
}

type SummarizeDraft = Draft<{ text: string }, { text: string }>;

export function createSummarizeFeature(deps: FeatureDeps) {
  /** Resolves the input to the text to summarize, or to NOT_FOUND for a document the tenant lacks. */
  async function prepare(call: FeatureCall, rawInput: unknown): Promise<SummarizeSource | null> {
    const input = parseInput(summarizeInputSchema, rawInput);
    const maxWords = input.maxWords ?? deps.summaryDefaultWords;
    // The budget starts before the document is loaded: it bounds what the caller waits, not just the model.
    const deadline = deps.gateway.deadlineFor('summarize');
    let text: string;
    let scope: string;
    if (input.documentId) {
      const id = input.documentId;
      const document = await stage(deps.metrics, 'retrieval.document', () => call.loadDocument(id));
      if (!document) return null;
      text = `${document.title}.\n\n${document.body}`;
      // Keyed by version and content: a re-ingested (or deleted and re-created) document never gets the old summary.
      scope = hashScope('document', document.id, document.version, document.title, document.body, maxWords);
    } else {
      text = input.text ?? '';
      scope = hashScope('text', normalizeForCache(text), maxWords);
    }
    return {
      text,
      maxWords,
      gatewayCall: {
        task: 'summarize',
        tenantId: call.tenant.tenantId,
        allowedProviders: call.tenant.policy.allowedProviders,
        requestId: call.requestId,
        promptName: 'summarize',
        variables: { text, maxWords },
        cacheScope: scope,
        inputChars: text.length,
        deadline,
      },
    };
  }

  async function finish(source: SummarizeSource, outcome: GatewayOutcome): Promise<SummarizeDraft> {
    if (outcome.ok) {
      const { provider, model, promptVersion, cached, costUsd } = outcome;
      return {
        kind: 'full',
        value: { text: capWords(outcome.text, source.maxWords) },
        model: { provider, model, promptVersion, cached, costUsd },
      };
    }
    const text = await stage(deps.metrics, 'extractive.summarize', async () =>
      extractiveSummary(source.text, source.maxWords),
    );
    return { kind: 'degraded', value: { text }, reason: outcome.reason, model: NO_MODEL };
  }

  const notFound: SummarizeDraft = {
    kind: 'unavailable',
    reason: 'NOT_FOUND',
    message: 'No such document for this tenant',
    retryAfterSeconds: null,
  };

  async function summarize(call: FeatureCall, rawInput: unknown): Promise<SummarizeOutcome> {
    const elapsed = startClock();
    const source = await prepare(call, rawInput);
    if (!source) return settle(deps, call, 'summarize', elapsed, notFound);
    const outcome = await stage(deps.metrics, 'model.summarize', () =>
      deps.gateway.complete(source.gatewayCall),
    );
    return settle(deps, call, 'summarize', elapsed, await finish(source, outcome));
  }

  return { summarize, prepare, finish, notFound };
}
