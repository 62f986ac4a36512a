// One span per guardrail run (`ai.guardrail.input`, `.guard`, `.retrieval`, `.echo`, `.format`, `.summary`,
// `.answer`): which rails ran and what each decided, so a trace shows where a request was refused, repaired or
// flagged. Verdicts only; a rail's detail (counts, categories) stays in the log line.
import { SpanStatusCode } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { AI_ATTRIBUTES, tracer } from '../observability/tracing/tracer';
import type { RailOutcome, RailVerdict } from './rail-outcome';

const STRENGTH: Record<RailVerdict, number> = { pass: 0, unavailable: 1, flagged: 2, fixed: 3, rejected: 4 };

function describe(span: Span, outcomes: readonly RailOutcome[]): void {
  let strongest: RailVerdict | 'skipped' = 'skipped';
  let verdicts = '';
  for (const { rail, outcome } of outcomes) {
    if (strongest === 'skipped' || STRENGTH[outcome] > STRENGTH[strongest]) strongest = outcome;
    verdicts += `${verdicts === '' ? '' : ' '}${rail}=${outcome}`;
  }
  span.setAttribute(AI_ATTRIBUTES.guardrailOutcome, strongest);
  if (verdicts !== '') span.setAttribute(AI_ATTRIBUTES.guardrailVerdicts, verdicts);
}

function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'Error' });
}

/** A synchronous rail (the rules: input, retrieval, reply and answer rails). */
export function railSpan<T>(
  name: string,
  run: () => T,
  outcomesOf: (result: T) => readonly RailOutcome[],
): T {
  return tracer.startActiveSpan(
    `ai.guardrail.${name}`,
    { attributes: { [AI_ATTRIBUTES.guardrailName]: name } },
    (span) => {
      try {
        const result = run();
        describe(span, outcomesOf(result));
        return result;
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** A rail that waits on something (the guard model, through the gateway): its model span nests under it. */
export function railSpanAsync<T>(
  name: string,
  run: () => Promise<T>,
  outcomesOf: (result: T) => readonly RailOutcome[],
): Promise<T> {
  return tracer.startActiveSpan(
    `ai.guardrail.${name}`,
    { attributes: { [AI_ATTRIBUTES.guardrailName]: name } },
    (span) =>
      run().then(
        (result) => {
          describe(span, outcomesOf(result));
          span.end();
          return result;
        },
        (error: unknown) => {
          failed(span, error);
          span.end();
          throw error;
        },
      ),
  );
}
