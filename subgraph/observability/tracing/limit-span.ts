// A span around one check of a tenant's limits (`ai.rate_limit.check`, `ai.spend.reserve`): how long the
// shared limiter took to answer, and what it answered (admitted, refused, reserved, over, unavailable).
import { SpanStatusCode } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { AI_ATTRIBUTES, tracer } from './tracer';

export function limitSpan<T>(
  name: string,
  attributes: Attributes,
  check: () => Promise<T>,
  resultOf: (result: T) => string,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await check();
      span.setAttribute(AI_ATTRIBUTES.limitResult, resultOf(result));
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'Error' });
      throw error;
    } finally {
      span.end();
    }
  });
}
