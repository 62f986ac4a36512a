// A grade, out to where operators look: the quality metrics by feature, model and prompt version, and a short
// `evaluate <feature>` span in the request's trace carrying one `gen_ai.evaluation.result` event per check
// (OpenTelemetry's GenAI conventions). Without an SDK registered the span is a no-op.
import { trace } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { DEFAULT_GROUNDING_THRESHOLDS } from '../../guardrails/grounding';
import type { Metrics } from '../metrics';
import type { QualityGrade } from './sample-store';

const tracer = trace.getTracer('ai-subgraph');

export const EVALUATION_EVENT = 'gen_ai.evaluation.result';

export interface GradeLabels {
  feature: string;
  /** `none` where no model replied (an abstention for want of passages). */
  model: string;
  promptVersion: string;
}

interface Evaluation {
  name: 'grounding' | 'citations_valid' | 'abstained';
  value: number;
  label: string;
}

/** The grade's checks as evaluations, leaving out those that did not apply (null). */
export function evaluationsOf(grade: QualityGrade): Evaluation[] {
  const evaluations: Evaluation[] = [];
  if (grade.grounding !== null) {
    // Labelled by the rails' own bar: below it the answer rail would have rejected the reply.
    const supported = grade.grounding >= DEFAULT_GROUNDING_THRESHOLDS.minSupportRatio;
    evaluations.push({
      name: 'grounding',
      value: grade.grounding,
      label: supported ? 'supported' : 'unsupported',
    });
  }
  if (grade.citationsValid !== null) {
    evaluations.push({
      name: 'citations_valid',
      value: grade.citationsValid ? 1 : 0,
      label: grade.citationsValid ? 'valid' : 'invalid',
    });
  }
  evaluations.push({
    name: 'abstained',
    value: grade.abstained ? 1 : 0,
    label: grade.abstained ? 'abstained' : 'answered',
  });
  return evaluations;
}

export function exportGrade(
  metrics: Metrics,
  labels: GradeLabels,
  grade: QualityGrade,
  parent: Context,
): void {
  const byModel = { feature: labels.feature, model: labels.model, prompt_version: labels.promptVersion };
  const span = tracer.startSpan(
    `evaluate ${labels.feature}`,
    { attributes: { 'gen_ai.request.model': labels.model, 'ai.prompt.version': labels.promptVersion } },
    parent,
  );
  try {
    for (const evaluation of evaluationsOf(grade)) {
      if (evaluation.name === 'grounding') metrics.qualityGrounding.observe(byModel, evaluation.value);
      else
        metrics.qualityChecks.inc({
          ...byModel,
          check: evaluation.name,
          result: String(evaluation.value === 1),
        });
      const attributes: Attributes = {
        'gen_ai.evaluation.name': evaluation.name,
        'gen_ai.evaluation.score.value': evaluation.value,
        'gen_ai.evaluation.score.label': evaluation.label,
      };
      span.addEvent(EVALUATION_EVENT, attributes);
    }
  } finally {
    span.end();
  }
}
