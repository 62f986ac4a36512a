// The OpenTelemetry Node SDK for this process, started by the entry point before the server listens and shut
// down after it has drained (flushing the spans still batched). Traces only: metrics are Prometheus' and logs
// pino's, so the SDK's own metric and log pipelines stay off (left to their env defaults they would push OTLP
// to localhost). Spans are recorded and exported only when an OTLP endpoint is set; without one the W3C trace
// context is still continued (every span carries the router's trace id, or a fresh one, for the logs), but
// nothing is sampled, so a span costs an id and no more.
import { ProxyTracerProvider, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../../config/sections';
import { ASYNC_CONTEXT } from '../async-context';

/** The service name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
export const DEFAULT_SERVICE_NAME = 'ai-subgraph';

export interface Tracing {
  /** Where spans go: `otlp http/json` or `otlp http/protobuf`; `off` when no endpoint is set or the SDK is disabled. */
  readonly exporting: 'off' | `otlp ${'http/json' | 'http/protobuf'}`;
  /** Exports every span ended so far (for tests that assert on what a collector received). */
  flush(): Promise<void>;
  /** Flushes, stops the exporter and unregisters the SDK, so another may start in the same process. */
  shutdown(): Promise<void>;
}

function exporterFor(exporter: NonNullable<TracingConfig['exporter']>): SpanExporter {
  // Headers, timeout and compression come from OTEL_EXPORTER_OTLP_* as the exporters read them.
  return exporter.protocol === 'http/json'
    ? new OtlpJsonExporter({ url: exporter.url })
    : new OtlpProtobufExporter({ url: exporter.url });
}

const DISABLED: Tracing = { exporting: 'off', flush: async () => undefined, shutdown: async () => undefined };

export function startTracing(config: TracingConfig): Tracing {
  if (!config.enabled) return DISABLED;
  const exporter = config.exporter ? exporterFor(config.exporter) : null;
  const sdk = new NodeSDK({
    // The environment's resource detectors (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, host, process) are
    // merged over this, so the default name only shows where the operator named none.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: DEFAULT_SERVICE_NAME })),
    // With an exporter: a batch processor configured by OTEL_BSP_*, and the sampler OTEL_TRACES_SAMPLER names
    // (parent-based always-on by default). Without: a processor that drops, and nothing sampled at all.
    ...(exporter
      ? { traceExporter: exporter }
      : { spanProcessors: [new NoopSpanProcessor()], sampler: new AlwaysOffSampler() }),
    // The process's one AsyncLocalStorage, which the request records share (async-context.ts).
    contextManager: ASYNC_CONTEXT,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  // NodeSDK keeps its tracer provider private; the global proxy delegates to the one it built.
  const registered = trace.getTracerProvider();
  const provider = (registered instanceof ProxyTracerProvider ? registered.getDelegate() : registered) as {
    forceFlush?: () => Promise<void>;
  };
  return {
    exporting: config.exporter ? `otlp ${config.exporter.protocol}` : 'off',
    flush: async () => {
      await provider.forceFlush?.();
    },
    async shutdown() {
      await sdk.shutdown();
      // The context manager stays: the request records live in it whether or not a tracer provider is set.
      trace.disable();
      propagation.disable();
    },
  };
}
