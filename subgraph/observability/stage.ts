// Wraps one stage of the request path in an OpenTelemetry span and a latency observation.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Metrics } from './metrics';

const tracer = trace.getTracer('ai-subgraph');

export async function stage<T>(metrics: Metrics, name: string, work: () => Promise<T>): Promise<T> {
  const stopTimer = metrics.stageDuration.startTimer({ stage: name });
  return tracer.startActiveSpan(`ai.${name}`, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      stopTimer();
      span.end();
    }
  });
}
