// ask: a question grounded in the tenant's documents. The retrieved passages are numbered into the prompt,
// the model cites them as [n], and the Answer cites exactly those chunks. When every model fails or none is
// configured, the passages themselves serve as DegradedAnswer; with nothing relevant, INSUFFICIENT_CONTEXT.
import { hashScope, normalizeForCache } from '../gateway/cache/completion-cache';
import type { GatewayCall, GatewayOutcome } from '../gateway/gateway';
import { stage } from '../observability/stage';
import type { LexicalHit } from '../retrieval/store/document-store';
import type { FeatureCall } from './feature-call';
import type { FeatureDeps } from './feature-deps';
import type { AskOutcome, Passage } from './feature-result';
import { askInputSchema, parseInput } from './inputs';
import type { Draft } from './settle';
import { NO_MODEL, settle, startClock } from './settle';

export interface AskSource {
  passages: LexicalHit[];
  gatewayCall: GatewayCall;
}

type AskDraft = Draft<{ text: string; citations: Passage[] }, { passages: Passage[] }>;

const toPassage = ({ documentId, chunkId, title, snippet }: LexicalHit): Passage => ({
  documentId,
  chunkId,
  title,
  snippet,
});

/**
 * The passages the answer cites with [n] markers, in order of first citation, and the text renumbered to
 * match: the answer's [1] is citations[0]. Markers naming no given passage are dropped, never shown.
 */
export function citeInOrder(
  text: string,
  passages: readonly LexicalHit[],
): { text: string; citations: Passage[] } {
  const order = new Map<number, number>();
  for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
    const index = Number(match[1]) - 1;
    if (index >= 0 && index < passages.length && !order.has(index)) order.set(index, order.size + 1);
  }
  const renumbered = text.replace(/\[(\d{1,3})\]/g, (_marker, n: string) => {
    const position = order.get(Number(n) - 1);
    return position === undefined ? '' : `[${position}]`;
  });
  const citations = [...order.keys()].flatMap((index) => {
    const passage = passages[index];
    return passage ? [toPassage(passage)] : [];
  });
  return { text: renumbered.replace(/ {2,}/g, ' ').trim(), citations };
}

export function createAskFeature(deps: FeatureDeps) {
  async function prepare(call: FeatureCall, rawInput: unknown): Promise<AskSource | null> {
    const input = parseInput(askInputSchema, rawInput);
    // The budget starts before retrieval: the deadline bounds what the caller waits, not just the model call.
    const deadline = deps.gateway.deadlineFor('answer');
    const passages = await stage(deps.metrics, 'retrieval.lexical', () =>
      deps.documents.searchLexical(call.tenant.tenantId, input.question, input.limit),
    );
    if (passages.length === 0) return null;
    const numbered = passages.map((p, i) => `[${i + 1}] (${p.title}) ${p.content}`).join('\n\n');
    return {
      passages,
      gatewayCall: {
        task: 'answer',
        tenantId: call.tenant.tenantId,
        allowedProviders: call.tenant.policy.allowedProviders,
        requestId: call.requestId,
        promptName: 'answer',
        variables: { passages: numbered, question: input.question },
        // Chunk ids, versions and content are in the key: a re-ingested (even deleted and re-created) document changes it.
        cacheScope: hashScope(
          normalizeForCache(input.question),
          passages.map((p) => [p.chunkId, p.documentVersion, p.content]),
        ),
        inputChars: numbered.length + input.question.length,
        deadline,
      },
    };
  }

  function finish(source: AskSource, outcome: GatewayOutcome): AskDraft {
    if (outcome.ok) {
      const { provider, model, promptVersion, cached, costUsd } = outcome;
      return {
        kind: 'full',
        value: citeInOrder(outcome.text, source.passages),
        model: { provider, model, promptVersion, cached, costUsd },
      };
    }
    return {
      kind: 'degraded',
      value: { passages: source.passages.map(toPassage) },
      reason: outcome.reason,
      model: NO_MODEL,
    };
  }

  const insufficientContext: AskDraft = {
    kind: 'unavailable',
    reason: 'INSUFFICIENT_CONTEXT',
    message: 'Nothing in this tenant’s documents is relevant to the question',
    retryAfterSeconds: null,
  };

  async function ask(call: FeatureCall, rawInput: unknown): Promise<AskOutcome> {
    const elapsed = startClock();
    const source = await prepare(call, rawInput);
    if (!source) return settle(deps, call, 'ask', elapsed, insufficientContext);
    const outcome = await stage(deps.metrics, 'model.answer', () =>
      deps.gateway.complete(source.gatewayCall),
    );
    return settle(deps, call, 'ask', elapsed, finish(source, outcome));
  }

  return { ask, prepare, finish, insufficientContext };
}
