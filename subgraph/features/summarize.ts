// summarize: one ingested document (by id, through the request's batched loader) or a given text, by the
// model through the gateway; when every model fails or none is configured, an extractive summary (ranked
// sentences within maxWords) serves as DegradedSummary with the reason. A model's summary must pass the
// summary rail (no number, amount, date or name absent from the text) and the echo rail; one that fails is
// replaced by the next target's, and by the floor with GUARDRAIL_REJECTED when none passes.
import type { CompletionOutcome } from '../gateway/gateway-call';
import { stage } from '../observability/stage';
import { fingerprint, normalizeTextForFingerprint } from '../text/fingerprint';
import { unreachable } from '../errors/unreachable';
import { leadingText } from './extractive/leading-text';
import { inItsOwnTurn } from './extractive/own-turn';
import { extractiveSummary } from './extractive/summarize-extractive';
import type { FeatureDeps } from './feature-deps';
import { LIMITS, summarizeInputSchema } from './inputs';
import type { SummarizeInput } from './inputs';
import { NO_MODEL, modelUseOf, unavailableResult } from './meter-result';
import { modelCallFor } from './model-pipeline';
import type { ModelPipeline } from './model-pipeline';
import { capWords } from './word-cap';
import { echoRail, replyRails } from '../guardrails/output/reply-rails';
import { summaryRail } from '../guardrails/output/summary-rail';
import type { RailOutcome } from '../guardrails/rail-outcome';
import { summarizeSample } from './sampling/summarize-sample';

export interface SummarizeSource {
  /** What the extractive floor summarizes: a document's body, never its title as if it were a sentence. */
  body: string;
  /** A document's title, which the floor ranks by but never emits; '' for a given text. */
  title: string;
  /** What the model was given to summarize (title and body, or the text): what a sample is graded against. */
  text: string;
  maxWords: number;
  /** The reply rails (echo, summary facts) the gateway ran on the model's replies. */
  replyRails: () => RailOutcome[];
}

export type SummaryText = { text: string };
export type SummarizePipeline = ModelPipeline<SummarizeInput, SummarizeSource, SummaryText, SummaryText>;

export function createSummarizePipeline(deps: FeatureDeps): SummarizePipeline {
  return {
    feature: 'summarize',
    inputSchema: summarizeInputSchema,
    sample: summarizeSample,

    /** Resolves the input to the text to summarize, or to NOT_FOUND for a document the tenant lacks. */
    async prepare(call, input) {
      const maxWords = input.maxWords ?? deps.summaryDefaultWords;
      const base = modelCallFor(deps, call, 'summarize');
      let text: string;
      let scope: string;
      let floor: Pick<SummarizeSource, 'body' | 'title'>;
      if (input.documentId) {
        const id = input.documentId;
        const document = await stage(deps.metrics, 'retrieval.document', () => call.loadDocument(id));
        if (!document) {
          return {
            kind: 'known',
            result: unavailableResult('NOT_FOUND', 'No such document for this tenant'),
          };
        }
        // A body may be ten times a `text` input: a request's one model call gets the document's lead, cut at a
        // paragraph or sentence end within the `text` bound, as the floor ranks its lead. The whole document is
        // summarized by parts in a job (ingest with summarize: true, startSummaryJob: long-summary.ts).
        text = leadingText(`${document.title}.\n\n${document.body}`, LIMITS.textChars);
        floor = { body: document.body, title: document.title };
        // Keyed by version and content: a re-ingested (or deleted and re-created) document never gets the old summary.
        scope = fingerprint(
          'document',
          document.id,
          document.version,
          document.title,
          document.body,
          maxWords,
        );
      } else {
        text = input.text ?? '';
        floor = { body: text, title: '' };
        scope = fingerprint('text', normalizeTextForFingerprint(text), maxWords);
      }
      // A summary whose facts are not all in the text goes to the next target, then to the floor.
      const checks = replyRails([echoRail(deps.gateway.instructionsOf('summarize')), summaryRail(text)]);
      return {
        kind: 'model',
        source: { ...floor, text, maxWords, replyRails: checks.outcomes },
        gatewayCall: {
          ...base,
          variables: { text, maxWords },
          cacheScope: scope,
          inputChars: text.length,
          checkReply: checks.checkReply,
          watchReply: checks.watchReply,
        },
      };
    },

    async finish(source, outcome: CompletionOutcome) {
      switch (outcome.kind) {
        case 'answered':
          return {
            kind: 'full',
            value: { text: capWords(outcome.text, source.maxWords) },
            model: modelUseOf(outcome),
            rails: source.replyRails(),
          };
        case 'failed': {
          // In a turn of its own: many floors ready at once must not hold the event loop together.
          const text = await inItsOwnTurn(() =>
            stage(deps.metrics, 'extractive.summarize', async () =>
              extractiveSummary(source.body, source.maxWords, source.title),
            ),
          );
          return {
            kind: 'degraded',
            value: { text },
            reason: outcome.reason,
            // Summaries the output rails refused were paid for, though the floor serves.
            model: { ...NO_MODEL, costNanos: outcome.costNanos ?? 0 },
            rails: source.replyRails(),
          };
        }
        default:
          return unreachable(outcome);
      }
    },

    railsBefore: (source) => source.replyRails(),
  };
}
