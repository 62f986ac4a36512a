// ask: a question grounded in the tenant's documents. The retrieved passages are numbered into the prompt,
// the model cites them as [n], and the Answer cites exactly those chunks. When every model fails or none is
// configured, the passages themselves serve as DegradedAnswer; with nothing relevant, INSUFFICIENT_CONTEXT.
import type { CompletionOutcome } from '../gateway/gateway-call';
import type { LexicalHit } from '../retrieval/store/document-store';
import { fingerprint, normalizeForFingerprint } from '../text/fingerprint';
import { unreachable } from '../errors/unreachable';
import { distinctPassages } from './distinct-passages';
import { retrieve } from './hybrid-retrieval';
import type { FeatureDeps } from './feature-deps';
import type { Passage } from './feature-result';
import { askInputSchema } from './inputs';
import type { AskInput } from './inputs';
import { NO_MODEL, modelUseOf, unavailableResult } from './meter-result';
import { modelCallFor } from './model-pipeline';
import type { ModelPipeline } from './model-pipeline';

type AskFull = { text: string; citations: Passage[] };
type AskDegraded = { passages: Passage[] };
/** What the answer grounds on, and what finding it cost (the question's embedding). */
interface AskSource {
  passages: readonly LexicalHit[];
  retrievalCostUsd: number;
}
export type AskPipeline = ModelPipeline<AskInput, AskSource, AskFull, AskDegraded>;

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

export function createAskPipeline(deps: FeatureDeps): AskPipeline {
  return {
    feature: 'ask',
    inputSchema: askInputSchema,

    async prepare(call, input) {
      const base = modelCallFor(deps, call, 'answer');
      // Grounded on the fused ranking; a semantic neighbour too far from the question is no ground at all.
      const retrieved = await retrieve(deps, call, input.question, input.limit, {
        minSimilarity: deps.askMinSimilarity,
      });
      // retrieve() has checked every passage is the caller's tenant's (tenant-gate.ts) before this prompt.
      const passages = retrieved.chunks;
      if (passages.length === 0) {
        const message = 'Nothing in this tenant’s documents is relevant to the question';
        return { kind: 'known', result: unavailableResult('INSUFFICIENT_CONTEXT', message) };
      }
      const numbered = passages.map((p, i) => `[${i + 1}] (${p.title}) ${p.content}`).join('\n\n');
      return {
        kind: 'model',
        source: { passages, retrievalCostUsd: retrieved.embedding?.costUsd ?? 0 },
        gatewayCall: {
          ...base,
          variables: { passages: numbered, question: input.question },
          // Chunk ids, versions and content are in the key: a re-ingested (even deleted and re-created) document changes it.
          cacheScope: fingerprint(
            normalizeForFingerprint(input.question),
            passages.map((p) => [p.chunkId, p.documentVersion, p.content]),
          ),
          inputChars: numbered.length + input.question.length,
        },
      };
    },

    // The question's embedding is part of the answer's cost, in AIMeta and the tenant's ledger alike.
    async finish({ passages, retrievalCostUsd }, outcome: CompletionOutcome) {
      switch (outcome.kind) {
        case 'answered': {
          const model = modelUseOf(outcome);
          return {
            kind: 'full',
            value: citeInOrder(outcome.text, passages),
            model: { ...model, costUsd: model.costUsd + retrievalCostUsd },
          };
        }
        case 'failed':
          return {
            kind: 'degraded',
            value: { passages: distinctPassages(passages.map(toPassage)) },
            reason: outcome.reason,
            model: { ...NO_MODEL, costUsd: retrievalCostUsd },
          };
        default:
          return unreachable(outcome);
      }
    },
  };
}
