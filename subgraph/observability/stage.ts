// Wraps one stage of the request path in an OpenTelemetry span and a latency observation, and adds its
// duration to the request's record (request-record.ts) for the request's log line.
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Metrics } from './metrics';
import { noteStage } from './request-record';

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
      noteStage(name, stopTimer() * 1000);
      span.end();
    }
  });
}
