// A guardrail run's span: named after the rail, carrying the strongest verdict and each rail's, ended once
// whether the rail passes, refuses or throws, and marked as an error only when it throws. The guard model's
// rail waits on a promise: its span must end when the promise settles, not before.
import { SpanStatusCode } from '@opentelemetry/api';
import { railSpan, railSpanAsync } from '../../subgraph/guardrails/rail-span';
import type { RailOutcome } from '../../subgraph/guardrails/rail-outcome';
import { useInMemorySpans } from '../support/in-memory-spans';

const exporter = useInMemorySpans();

const outcomes = (...list: RailOutcome[]) => list;
const onlySpan = () => {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
};

describe('railSpan and railSpanAsync', () => {
  it('a synchronous rail: its verdicts, the strongest as the outcome', () => {
    const result = railSpan(
      'answer',
      () => outcomes({ rail: 'citations', outcome: 'fixed' }, { rail: 'grounding', outcome: 'pass' }),
      (list) => list,
    );
    expect(result).toHaveLength(2);
    const span = onlySpan();
    expect(span.name).toBe('ai.guardrail.answer');
    expect(span.attributes).toMatchObject({
      'ai.guardrail.name': 'answer',
      'ai.guardrail.outcome': 'fixed',
      'ai.guardrail.verdicts': 'citations=fixed grounding=pass',
    });
  });

  it('an async rail: the span ends only once its promise settles, with the verdict it resolved to', async () => {
    let resolve: (list: RailOutcome[]) => void = () => undefined;
    const pending = railSpanAsync(
      'guard',
      () => new Promise<RailOutcome[]>((done) => (resolve = done)),
      (list) => list,
    );
    await Promise.resolve();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    resolve(outcomes({ rail: 'input', outcome: 'rejected' }));
    await pending;
    const span = onlySpan();
    expect(span.name).toBe('ai.guardrail.guard');
    expect(span.attributes['ai.guardrail.outcome']).toBe('rejected');
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it('an async rail that fails: the error passes through, the span ends once, marked by its class only', async () => {
    await expect(
      railSpanAsync(
        'guard',
        () => Promise.reject(new TypeError('secret detail')),
        () => [],
      ),
    ).rejects.toThrow('secret detail');
    const span = onlySpan();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TypeError' });
    expect(span.attributes['ai.guardrail.outcome']).toBeUndefined();
  });

  it('a rail that reports nothing is `skipped`', async () => {
    await railSpanAsync(
      'guard',
      async () => [],
      () => [],
    );
    expect(onlySpan().attributes['ai.guardrail.outcome']).toBe('skipped');
  });
});
