// The tracing section: the standard OTEL_* variables this service decides on itself. Spans leave the process
// only when an OTLP endpoint is set (OTLP over HTTP, protobuf or JSON); the SDK reads the rest of the standard
// variables itself (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, OTEL_BSP_*,
// OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION, OTEL_PROPAGATORS).
import { z } from 'zod';
import type { Env } from './env-schema';
import type { TracingConfig } from './sections';

const protocol = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
  .pipe(
    z
      .enum(['http/protobuf', 'http/json'], {
        message:
          'expects http/protobuf or http/json (spans are exported over OTLP/HTTP; grpc is not built in)',
      })
      .optional(),
  );

// `collector:4318` parses as a URL of scheme `collector:`; the exporters speak HTTP only.
const httpEndpoint = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
  .pipe(z.url({ protocol: /^https?$/, message: 'expects an http:// or https:// URL' }).optional());

export const tracingEnvShape = {
  // The specification's boolean: only "true" (any case) disables; anything else leaves the SDK on.
  OTEL_SDK_DISABLED: z
    .string()
    .optional()
    .transform((value) => value?.trim().toLowerCase() === 'true'),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpEndpoint,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpEndpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
};

type TracingEnv = Pick<Env, keyof typeof tracingEnvShape>;

/**
 * The traces URL as the specification builds it: the per-signal variable as given, else the base endpoint
 * with `v1/traces` appended to its path (whether or not it ends in a slash).
 */
export function tracesUrlOf(
  env: Pick<TracingEnv, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>,
): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!base) return undefined;
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.toString();
}

export function tracingSection(env: TracingEnv): TracingConfig {
  const url = tracesUrlOf(env);
  return {
    enabled: !env.OTEL_SDK_DISABLED,
    exporter:
      url === undefined
        ? null
        : {
            url,
            protocol:
              env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
          },
  };
}
