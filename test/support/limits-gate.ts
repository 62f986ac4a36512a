// The limits gates (rate-gate.ts, spend-gate.ts) when Redis fails them: a client of a Redis that is not there,
// and the metrics and logger to build a gate with, read back afterwards: how many checks fell to the failure
// policy (LIMITS_ON_REDIS_FAILURE, counted in ai_limits_unavailable_total) and what the log said about it.
import { Redis } from 'ioredis';
import { createMetrics } from '../../subgraph/observability/metrics';
import { capturingLogger } from './logs';
import { parseMetrics } from './metrics-reader';

/** A client of a Redis that is not there (port 1): it never reconnects, and a command fails at once. */
export function unreachableRedis(): Redis {
  const client = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  return client;
}

/** The `deps` of a gate whose failure policy is `policy`, with the warnings it logged and the failures it counted. */
export function observedGateDeps(policy: 'closed' | 'open') {
  const metrics = createMetrics({ defaultMetrics: false });
  const { logger, lines } = capturingLogger('warn');
  const unavailable = async () =>
    parseMetrics(await metrics.registry.metrics()).value('ai_limits_unavailable_total', { policy });
  return { deps: { metrics, logger }, lines, unavailable };
}
