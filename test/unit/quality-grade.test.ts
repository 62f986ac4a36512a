// The quality grader on model replies (grounding, citation validity, abstention), and how a grade leaves the
// process: the quality metrics by feature, model and prompt version, and an `evaluate <feature>` span in the
// request's trace with one gen_ai.evaluation.result event per check.
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { createMetrics } from '../../subgraph/observability/metrics';
import { EVALUATION_EVENT, exportGrade } from '../../subgraph/observability/quality/export-grade';
import { grade } from '../../subgraph/observability/quality/grade';
import { useInMemorySpans } from '../support/in-memory-spans';
import { parseMetrics } from '../support/metrics-reader';

const PASSAGES = [
  { index: 1, text: 'The Orion warranty covers parts and labour for two years from the date of purchase.' },
  { index: 2, text: 'Returns are accepted within thirty days when the receipt is shown at the counter.' },
];

describe('grade', () => {
  it('scores a grounded answer citing given passages: full grounding, valid citations, no abstention', () => {
    const reply =
      'The Orion warranty covers parts and labour for two years [1]. Returns are accepted within thirty days [2].';
    expect(grade({ kind: 'answer', reply, passages: PASSAGES })).toEqual({
      grounding: 1,
      citationsValid: true,
      abstained: false,
    });
  });

  it('finds a citation of a passage never given, and a sentence the passages do not support', () => {
    const reply =
      'The Orion warranty covers parts and labour for two years [1]. Shipping to Mars costs 400 credits [7].';
    const graded = grade({ kind: 'answer', reply, passages: PASSAGES });
    expect(graded.citationsValid).toBe(false);
    expect(graded.grounding).toBe(0.5);
    expect(graded.abstained).toBe(false);
  });

  it('counts a grouped citation [1, 2] as citing both passages', () => {
    const reply =
      'The Orion warranty covers parts and labour for two years, and returns take thirty days [1, 2].';
    expect(grade({ kind: 'answer', reply, passages: PASSAGES }).citationsValid).toBe(true);
  });

  it('counts an answer citing nothing as having no valid citation', () => {
    const reply = 'The Orion warranty covers parts and labour for two years.';
    expect(grade({ kind: 'answer', reply, passages: PASSAGES }).citationsValid).toBe(false);
  });

  it('grades NO_ANSWER, and an ask with nothing relevant found, as abstained with nothing else to score', () => {
    const abstained = { grounding: null, citationsValid: null, abstained: true };
    expect(grade({ kind: 'answer', reply: 'NO_ANSWER.', passages: PASSAGES })).toEqual(abstained);
    expect(grade({ kind: 'abstention' })).toEqual(abstained);
  });

  it('grades a summary against its text, with no citations to check', () => {
    const source = PASSAGES.map((passage) => passage.text).join(' ');
    expect(
      grade({ kind: 'summary', reply: 'Orion parts and labour are covered for two years.', source }),
    ).toEqual({ grounding: 1, citationsValid: null, abstained: false });
    const invented = grade({
      kind: 'summary',
      reply: 'Orion parts are covered for two years. The warranty was signed in Zurich in 1987.',
      source,
    });
    expect(invented.grounding).toBe(0.5);
  });
});

describe('exportGrade', () => {
  const exporter = useInMemorySpans();

  const requestSpan = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
  };
  const requestContext = trace.setSpanContext(ROOT_CONTEXT, requestSpan);
  const labels = { feature: 'ask', model: 'gpt-test', promptVersion: 'answer.v2' };

  it('records the grounding score and the checks under feature, model and prompt version', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    exportGrade(metrics, labels, { grounding: 0.5, citationsValid: false, abstained: false }, requestContext);
    const scraped = parseMetrics(await metrics.registry.metrics());
    const byModel = { feature: 'ask', model: 'gpt-test', prompt_version: 'answer.v2' };
    expect(scraped.value('ai_quality_grounding_score_count', byModel)).toBe(1);
    expect(scraped.value('ai_quality_grounding_score_sum', byModel)).toBe(0.5);
    expect(
      scraped.value('ai_quality_checks_total', { ...byModel, check: 'citations_valid', result: 'false' }),
    ).toBe(1);
    expect(
      scraped.value('ai_quality_checks_total', { ...byModel, check: 'abstained', result: 'false' }),
    ).toBe(1);
  });

  it('leaves out the checks that did not apply', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const summary = { feature: 'summarize', model: 'gpt-test', promptVersion: 'summarize.v1' };
    exportGrade(metrics, summary, { grounding: 1, citationsValid: null, abstained: false }, requestContext);
    const scraped = parseMetrics(await metrics.registry.metrics());
    expect(scraped.find('ai_quality_checks_total', { check: 'citations_valid' })).toEqual([]);
    expect(scraped.value('ai_quality_grounding_score_count', { feature: 'summarize' })).toBe(1);
  });

  it('adds an evaluate span to the request’s trace with a gen_ai.evaluation.result event per check', () => {
    exportGrade(
      createMetrics({ defaultMetrics: false }),
      labels,
      { grounding: 0.25, citationsValid: true, abstained: false },
      requestContext,
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('evaluate ask');
    expect(span?.spanContext().traceId).toBe(requestSpan.traceId);
    expect(span?.parentSpanContext?.spanId).toBe(requestSpan.spanId);
    expect(span?.events.map((event) => [event.name, event.attributes])).toEqual([
      [
        EVALUATION_EVENT,
        {
          'gen_ai.evaluation.name': 'grounding',
          'gen_ai.evaluation.score.value': 0.25,
          'gen_ai.evaluation.score.label': 'unsupported',
        },
      ],
      [
        EVALUATION_EVENT,
        {
          'gen_ai.evaluation.name': 'citations_valid',
          'gen_ai.evaluation.score.value': 1,
          'gen_ai.evaluation.score.label': 'valid',
        },
      ],
      [
        EVALUATION_EVENT,
        {
          'gen_ai.evaluation.name': 'abstained',
          'gen_ai.evaluation.score.value': 0,
          'gen_ai.evaluation.score.label': 'answered',
        },
      ],
    ]);
  });
});
