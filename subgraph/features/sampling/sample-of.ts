// A served feature request as a quality sample (observability/quality): what it was asked, what it served,
// the chunks it drew on, and what the grader checks. Built only for a request already drawn (drawSample), so
// a request not drawn pays for none of it. Content is put in only where the tenant keeps it.
import { context } from '@opentelemetry/api';
import type { CompletionOutcome } from '../../gateway/gateway-call';
import type { GradingSubject } from '../../observability/quality/grade';
import type { SampledRequest } from '../../observability/quality/quality-sampler';
import { unreachable } from '../../errors/unreachable';
import type { FeatureCall } from '../feature-call';
import type { FeatureResult, Passage } from '../feature-result';
import type { FeatureName } from '../meter-result';

/** What a model pipeline's samples record and grade: the feature's own knowledge, in four functions. */
export interface SampleSpec<Input, Source, Full, Degraded> {
  /** The request's input as a sample shows it: the question, the text, the document's id. */
  input(input: Input): string;
  fullOutput(value: Full): string;
  degradedOutput(value: Degraded): string;
  /** The chunks the model was given. */
  chunkIds(source: Source): string[];
  /** What the grader checks a model's reply against. */
  subject(source: Source, reply: string): GradingSubject;
}

/** Where the request went past prepare: the source it prepared and the gateway's outcome. */
export interface ModelLeg<Source> {
  source: Source;
  outcome: CompletionOutcome;
}

const NO_MODEL_LABELS = { model: 'none', promptVersion: 'none' };

/** A model pipeline's request (ask, summarize, their streams) as a sample. `leg` null: a known result. */
export function pipelineSample<Input, Source, Full, Degraded>(
  feature: FeatureName,
  spec: SampleSpec<Input, Source, Full, Degraded>,
  call: FeatureCall,
  input: Input,
  result: FeatureResult<Full, Degraded>,
  leg: ModelLeg<Source> | null,
): SampledRequest {
  const answered = leg?.outcome.kind === 'answered' ? leg.outcome : null;
  let subject: GradingSubject | null = null;
  if (leg && answered) subject = spec.subject(leg.source, answered.text);
  // Nothing relevant was found, so no model was asked: the request abstained all the same.
  else if (result.kind !== 'full' && result.reason === 'INSUFFICIENT_CONTEXT')
    subject = { kind: 'abstention' };
  return sampleOf(call, feature, result, {
    input: () => spec.input(input),
    output: (served) =>
      served.kind === 'full' ? spec.fullOutput(served.value) : spec.degradedOutput(served.value),
    chunkIds: leg ? () => spec.chunkIds(leg.source) : () => [],
    subject,
    labels: answered ? { model: answered.model, promptVersion: answered.promptVersion } : NO_MODEL_LABELS,
  });
}

type Served<Full, Degraded> = Exclude<FeatureResult<Full, Degraded>, { kind: 'unavailable' }>;

interface SampleParts<Full, Degraded> {
  input: () => string;
  output: (served: Served<Full, Degraded>) => string;
  chunkIds: () => string[];
  subject: GradingSubject | null;
  labels: { model: string; promptVersion: string };
}

/** Any feature's request as a sample, from the parts only the feature knows. */
export function sampleOf<Full, Degraded>(
  call: FeatureCall,
  feature: FeatureName,
  result: FeatureResult<Full, Degraded>,
  parts: SampleParts<Full, Degraded>,
): SampledRequest {
  const { keepContent, retentionDays } = call.tenant.policy.sampling;
  return {
    tenantId: call.tenant.tenantId,
    requestId: call.requestId,
    feature,
    createdAt: new Date(),
    outcome: result.kind,
    reason: result.kind === 'full' ? null : result.reason,
    content: keepContent
      ? {
          input: parts.input(),
          output: servedText(result, parts.output),
          chunkIds: parts.chunkIds(),
          retentionDays,
        }
      : null,
    subject: parts.subject,
    labels: { feature, ...parts.labels },
    trace: context.active(),
  };
}

function servedText<Full, Degraded>(
  result: FeatureResult<Full, Degraded>,
  output: (served: Served<Full, Degraded>) => string,
): string {
  switch (result.kind) {
    case 'full':
    case 'degraded':
      return output(result);
    case 'unavailable':
      return result.message;
    default:
      return unreachable(result);
  }
}

/** Passages (a degraded answer's, search hits) as a sample shows them: one numbered line each. */
export function passageLines(passages: readonly Passage[]): string {
  return passages.map((passage, i) => `[${i + 1}] ${passage.title}: ${passage.snippet}`).join('\n');
}
