// A model gateway built as the subgraph builds it (loadConfig from variables, then createGateway) in front of
// the fake providers, for the suites that call its embed task directly: there is no GraphQL field for it.
import type { Redis } from 'ioredis';
import { loadConfig } from '../../subgraph/config';
import { createGateway } from '../../subgraph/gateway/create-gateway';
import type { EmbedCall, EmbedOutcome, ModelGateway } from '../../subgraph/gateway/gateway';
import { createMetrics } from '../../subgraph/observability/metrics';
import { capturingLogger } from './logs';
import { parseMetrics } from './metrics-reader';
import type { Metrics } from './metrics-reader';

export interface EmbedGateway {
  gateway: ModelGateway;
  /** `texts` embedded for `tenantId` (a query unless `call` says otherwise), with the embed task's deadline. */
  embed(tenantId: string, texts: readonly string[], call?: Partial<EmbedCall>): Promise<EmbedOutcome>;
  metrics(): Promise<Metrics>;
  /** The log lines written so far, one JSON object each. */
  logLines: string[];
}

let requestNumber = 0;

export function embedGateway(env: Record<string, string>, redis: Redis | null = null): EmbedGateway {
  const config = loadConfig(env);
  const registry = createMetrics({ defaultMetrics: false });
  const { logger, lines } = capturingLogger('debug');
  const gateway = createGateway(config.gateway, { redis, metrics: registry, logger });
  return {
    gateway,
    embed: (tenantId, texts, call = {}) =>
      gateway.embed({
        tenantId,
        requestId: `embed-test-${(requestNumber += 1)}`,
        purpose: 'query',
        texts,
        deadline: gateway.deadlineFor('embed'),
        ...call,
      }),
    metrics: async () => parseMetrics(await registry.registry.metrics()),
    logLines: lines,
  };
}
