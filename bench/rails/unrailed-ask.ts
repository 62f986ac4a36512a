// The `ask` pipeline as it was before the guardrails (git show 251f49b:subgraph/features/ask.ts), the
// "rails off" side of bench:rails: retrieve, number the passages into the prompt, call the model, cite in
// order. The product has no switch that turns every rail off, and should not get one for a benchmark, so the
// baseline is this copy, driven by the same runPipeline on the same FeatureDeps as today's pipeline.
//
// Adapted to today's types only: no input, guard or retrieval rail; no fence around the passages; no
// checkReply (so no echo or format rail in the gateway walk); `redactPii: false` (no provider redaction,
// whatever the tenant's policy says); no citation or grounding rail in finish. The prompt is still named
// `answer`: the prompt library serves its highest version (answer.v2) for both pipelines, so the two send
// prompts of the same size and wording, and the difference measured is the rails' alone.
import type { CompletionOutcome } from '../../subgraph/gateway/gateway-call';
import type { LexicalHit } from '../../subgraph/retrieval/store/document-store';
import { fingerprint, normalizeForFingerprint } from '../../subgraph/text/fingerprint';
import { unreachable } from '../../subgraph/errors/unreachable';
import { citeInOrder } from '../../subgraph/features/ask';
import { distinctPassages } from '../../subgraph/features/distinct-passages';
import { retrieve } from '../../subgraph/features/hybrid-retrieval';
import type { FeatureDeps } from '../../subgraph/features/feature-deps';
import type { Passage } from '../../subgraph/features/feature-result';
import { askInputSchema } from '../../subgraph/features/inputs';
import type { AskInput } from '../../subgraph/features/inputs';
import { NO_MODEL, modelUseOf, unavailableResult } from '../../subgraph/features/meter-result';
import { modelCallFor } from '../../subgraph/features/model-pipeline';
import type { ModelPipeline } from '../../subgraph/features/model-pipeline';
import { askSample } from '../../subgraph/features/sampling/ask-sample';

type AskFull = { text: string; citations: Passage[] };
type AskDegraded = { passages: Passage[] };
interface UnrailedSource {
  passages: readonly LexicalHit[];
  retrievalCostNanos: number;
}
export type UnrailedAskPipeline = ModelPipeline<AskInput, UnrailedSource, AskFull, AskDegraded>;

const toPassage = ({ documentId, chunkId, title, snippet }: LexicalHit): Passage => ({
  documentId,
  chunkId,
  title,
  snippet,
});

export function createUnrailedAskPipeline(deps: FeatureDeps): UnrailedAskPipeline {
  return {
    feature: 'ask',
    inputSchema: askInputSchema,
    sample: askSample,

    async prepare(call, input) {
      // Rails off: the call never redacts, whatever the tenant's policy (the only policy key modelCallFor reads).
      const base = { ...modelCallFor(deps, call, 'answer'), redactPii: false };
      const retrieved = await retrieve(deps, call, input.question, input.limit, {
        minSimilarity: deps.askMinSimilarity,
      });
      const passages = retrieved.chunks;
      if (passages.length === 0) {
        const message = 'Nothing in this tenant’s documents is relevant to the question';
        return { kind: 'known', result: unavailableResult('INSUFFICIENT_CONTEXT', message) };
      }
      const numbered = passages.map((p, i) => `[${i + 1}] (${p.title}) ${p.content}`).join('\n\n');
      return {
        kind: 'model',
        source: { passages, retrievalCostNanos: retrieved.embedding?.costNanos ?? 0 },
        gatewayCall: {
          ...base,
          variables: { passages: numbered, question: input.question },
          cacheScope: fingerprint(
            normalizeForFingerprint(input.question),
            passages.map((p) => [p.chunkId, p.documentVersion, p.content]),
          ),
          inputChars: numbered.length + input.question.length,
        },
      };
    },

    async finish({ passages, retrievalCostNanos }, outcome: CompletionOutcome) {
      switch (outcome.kind) {
        case 'answered': {
          const model = modelUseOf(outcome);
          return {
            kind: 'full',
            value: citeInOrder(outcome.text, passages),
            model: { ...model, costNanos: model.costNanos + retrievalCostNanos },
          };
        }
        case 'failed':
          return {
            kind: 'degraded',
            value: { passages: distinctPassages(passages.map(toPassage)) },
            reason: outcome.reason,
            model: { ...NO_MODEL, costNanos: retrievalCostNanos },
          };
        default:
          return unreachable(outcome);
      }
    },

    // Rails off: none ran.
    railsBefore: () => [],
  };
}
