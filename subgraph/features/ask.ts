// ask: a question grounded in the tenant's documents. The question passes the input rails (topics, the
// injection screen, an optional guard model); the retrieved passages, flagged chunks left out or fenced by
// policy, are numbered into the prompt as fenced data; the model cites them as [n]; its reply passes the
// format and echo rails in the gateway, then citations and grounding here, and the Answer cites exactly the
// chunks it kept. When every model fails, none is configured or the rails reject the answer, the passages
// themselves serve as DegradedAnswer; with nothing relevant, INSUFFICIENT_CONTEXT.
import type { CompletionOutcome } from '../gateway/gateway-call';
import type { LexicalHit } from '../retrieval/store/document-store';
import { fingerprint, normalizeForFingerprint } from '../text/fingerprint';
import { unreachable } from '../errors/unreachable';
import { distinctPassages } from './distinct-passages';
import { retrieve } from './hybrid-retrieval';
import type { FeatureDeps } from './feature-deps';
import type { Passage } from './feature-result';
import { askInputSchema } from './inputs';
import { guardQuestion } from './guard-question';
import { screenPassages } from './screen-passages';
import { INJECTION_BLOCKED_MESSAGE, checkQuestion } from '../guardrails/input/question-rail';
import { citedNumbers, renumberMarkers } from '../guardrails/grounding/citation-markers';
import { answerFormatVerdict } from '../guardrails/output/answer-format';
import { railAnswer } from '../guardrails/output/answer-rails';
import { echoRail, replyRails } from '../guardrails/output/reply-rails';
import { fencePassages, fenceTag } from '../guardrails/retrieval/fence-passages';
import type { GroundingPolicy } from '../guardrails/grounding';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { railSpan } from '../guardrails/rail-span';
import type { AskInput } from './inputs';
import { NO_MODEL, modelUseOf, recordCost, unavailableResult } from './meter-result';
import type { CostOnlyFeature } from './meter-result';
import { modelCallFor } from './model-pipeline';
import type { ModelPipeline } from './model-pipeline';
import { askSample } from './sampling/ask-sample';

export type AskFull = { text: string; citations: Passage[] };
export type AskDegraded = { passages: Passage[] };
/** What the answer grounds on, what finding it cost, and the rails so far. */
export interface AskSource {
  passages: readonly LexicalHit[];
  /** The question's embedding and the guard model's verdict, in nano-dollars: part of the answer's cost. */
  preparationCostNanos: number;
  grounding: GroundingPolicy;
  /** The input, guard and retrieval rails, decided before the model was called. */
  rails: readonly RailOutcome[];
  /** The reply rails (echo, format) the gateway ran on the model's replies. */
  replyRails: () => RailOutcome[];
}
const WITHHELD_MESSAGE =
  'The passages relevant to this question were withheld: they carry instructions aimed at an AI model (ingestDocument reports them as flagged).';

export type AskPipeline = ModelPipeline<AskInput, AskSource, AskFull, AskDegraded>;

const toPassage = ({ documentId, chunkId, title, snippet }: LexicalHit): Passage => ({
  documentId,
  chunkId,
  title,
  snippet,
});

/**
 * The passages the answer cites with [n] markers, in order of first citation, and the text renumbered to
 * match: the answer's [1] is citations[0]. Markers naming no given passage are dropped, never shown. A group
 * ("[1, 3]") cites each of its numbers and is renumbered as a whole, written as [n] markers ("[1][2]"):
 * see renumberMarkers.
 */
export function citeInOrder(
  text: string,
  passages: readonly LexicalHit[],
): { text: string; citations: Passage[] } {
  const order = new Map<number, number>();
  for (const n of citedNumbers(text)) {
    const index = n - 1;
    if (index >= 0 && index < passages.length && !order.has(index)) order.set(index, order.size + 1);
  }
  // A dropped marker takes the space before it along: "date [1] [9]." becomes "date [1].", not "date [1] .".
  const renumbered = renumberMarkers(text, (n) => order.get(n - 1));
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
    sample: askSample,

    async prepare(call, input) {
      const policy = call.tenant.policy.guardrails;
      const question = railSpan(
        'input',
        () => checkQuestion(input.question, policy),
        (verdict) => verdict.outcomes,
      );
      if (question.kind === 'rejected') {
        return {
          kind: 'known',
          result: { ...unavailableResult('GUARDRAIL_REJECTED', question.message), rails: question.outcomes },
        };
      }
      const base = modelCallFor(deps, call, 'answer');
      // Grounded on the fused ranking; a semantic neighbour too far from the question is no ground at all.
      // The guard model, where one is routed, reads the question meanwhile.
      const [guarded, retrieval] = await Promise.allSettled([
        guardQuestion(deps, call, input.question),
        retrieve(deps, call, input.question, input.limit, { minSimilarity: deps.askMinSimilarity }),
      ]);
      // One half failed (a database error, the caller gone) and the request with it: what the other half cost
      // was paid all the same, and no result will report it.
      if (retrieval.status === 'rejected') {
        if (guarded.status === 'fulfilled')
          await recordCost(deps, call, 'guardrails', guarded.value.costNanos);
        throw retrieval.reason;
      }
      if (guarded.status === 'rejected') {
        await recordCost(deps, call, 'retrieval', retrieval.value.costNanos);
        throw guarded.reason;
      }
      const guard = guarded.value;
      const retrieved = retrieval.value;
      const rails = [...question.outcomes, ...(guard.outcome ? [guard.outcome] : [])];
      // No answer reports what finding one cost when the question goes unanswered: the ledger keeps it under
      // `guardrails` when a rail refused the question, `retrieval` when nothing relevant was found.
      // The question's embedding is charged even where it gave no vector (replies billed before it failed).
      const spentNanos = retrieved.costNanos + guard.costNanos;
      const unreported = (feature: CostOnlyFeature) => ({ unreported: { feature, costNanos: spentNanos } });
      if (guard.blocked) {
        return {
          kind: 'known',
          result: {
            ...unavailableResult('GUARDRAIL_REJECTED', INJECTION_BLOCKED_MESSAGE),
            ...unreported('guardrails'),
            rails,
          },
        };
      }
      // retrieve() has checked every passage is the caller's tenant's (tenant-gate.ts) before this prompt.
      // Only the chunks reach a closure: one capturing `retrieved` would keep the question's embedding (and
      // the rest of the search) for as long as the answer streams, since closures of one call share a scope.
      const retrievedChunks = retrieved.chunks;
      const screened = railSpan(
        'retrieval',
        () => screenPassages(retrievedChunks, policy.flaggedChunks),
        ({ outcome }) => [outcome],
      );
      rails.push(screened.outcome);
      const passages = screened.passages.map(({ chunk }) => chunk);
      if (passages.length === 0 && retrievedChunks.length > 0) {
        // Everything relevant was withheld by the retrieval rail: say so, rather than that nothing matched.
        return {
          kind: 'known',
          result: {
            ...unavailableResult('GUARDRAIL_REJECTED', WITHHELD_MESSAGE),
            ...unreported('guardrails'),
            rails,
          },
        };
      }
      if (passages.length === 0) {
        const message = 'Nothing in this tenant’s documents is relevant to the question';
        return {
          kind: 'known',
          result: {
            ...unavailableResult('INSUFFICIENT_CONTEXT', message),
            ...unreported('retrieval'),
            rails,
          },
        };
      }
      const fenced = fencePassages(
        screened.passages.map(({ chunk, flagged }) => ({
          title: chunk.title,
          content: chunk.content,
          flagged,
        })),
        fenceTag(),
      );
      const checks = replyRails([
        echoRail(deps.gateway.instructionsOf('answer')),
        { rail: 'format', check: (text) => answerFormatVerdict(text, passages.length) },
      ]);
      return {
        kind: 'model',
        source: {
          passages,
          preparationCostNanos: spentNanos,
          grounding: policy.grounding,
          rails,
          replyRails: checks.outcomes,
        },
        gatewayCall: {
          ...base,
          variables: { passages: fenced, question: input.question },
          // Chunk ids, versions, content and fencing are in the key: a re-ingested (even deleted and
          // re-created) document changes it, and so does a chunk's flag under `fence`.
          cacheScope: fingerprint(
            normalizeForFingerprint(input.question),
            screened.passages.map(({ chunk, flagged }) => [
              chunk.chunkId,
              chunk.documentVersion,
              chunk.content,
              flagged,
            ]),
          ),
          inputChars: fenced.length + input.question.length,
          checkReply: checks.checkReply,
          watchReply: checks.watchReply,
        },
      };
    },

    // The question's embedding is part of the answer's cost, in AIMeta and the tenant's ledger alike.
    async finish(source, outcome: CompletionOutcome) {
      const { passages, preparationCostNanos } = source;
      const degraded = { passages: distinctPassages(passages.map(toPassage)) };
      switch (outcome.kind) {
        case 'answered': {
          const used = modelUseOf(outcome);
          const model = { ...used, costNanos: used.costNanos + preparationCostNanos };
          const railed = railSpan(
            'answer',
            () =>
              railAnswer(
                outcome.text,
                passages.map((passage, i) => ({ index: i + 1, text: passage.content })),
                source.grounding,
              ),
            ({ outcomes }) => outcomes,
          );
          const rails = [...railsBefore(source), ...railed.outcomes];
          switch (railed.kind) {
            case 'answer':
              return { kind: 'full', value: citeInOrder(railed.text, passages), model, rails };
            case 'abstained':
              return { kind: 'degraded', value: degraded, reason: 'INSUFFICIENT_CONTEXT', model, rails };
            case 'rejected':
              return { kind: 'degraded', value: degraded, reason: 'GUARDRAIL_REJECTED', model, rails };
            default:
              return unreachable(railed);
          }
        }
        case 'failed':
          return {
            kind: 'degraded',
            value: degraded,
            reason: outcome.reason,
            // The question's embedding, and any replies the output rails refused.
            model: { ...NO_MODEL, costNanos: preparationCostNanos + (outcome.costNanos ?? 0) },
            rails: railsBefore(source),
          };
        default:
          return unreachable(outcome);
      }
    },

    railsBefore,
    // What prepare decided from the question alone, for a request left while the rest of prepare ran: the same
    // check again (no model, no I/O), since prepare never returned its verdict.
    inputRails: (call, input) => checkQuestion(input.question, call.tenant.policy.guardrails).outcomes,
    costBefore: (source) => source.preparationCostNanos,
  };
}

/** The input, guard and retrieval rails, and what the reply rails made of the replies so far. */
const railsBefore = (source: AskSource): RailOutcome[] => [...source.rails, ...source.replyRails()];
