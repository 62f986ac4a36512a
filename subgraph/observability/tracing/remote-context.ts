// The caller's W3C trace context (traceparent, tracestate) as the parent of this service's spans: from HTTP
// headers, or from a graphql-ws connection_init payload, where a WebSocket client can put what it cannot send
// as headers. An absent or malformed traceparent leaves the root context: the spans start a trace of their own.
import { ROOT_CONTEXT, propagation } from '@opentelemetry/api';
import type { Context, TextMapGetter } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';

type Carrier = Readonly<Record<string, unknown>>;

/** Reads string values only: a connection_init payload is the client's JSON, of any shape. */
const stringValues: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (typeof value === 'string') return value;
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  },
};

export function contextFromHeaders(headers: IncomingHttpHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers, stringValues);
}

/**
 * A graphql-ws connection's parent context: its connection_init payload's `traceparent`/`tracestate`, else
 * the upgrade request's headers (where a proxy may have put them).
 */
export function contextOfConnection(
  payload: unknown,
  upgradeHeaders: IncomingHttpHeaders | undefined,
): Context {
  if (
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as Carrier).traceparent === 'string'
  ) {
    return propagation.extract(ROOT_CONTEXT, payload as Carrier, stringValues);
  }
  return upgradeHeaders ? contextFromHeaders(upgradeHeaders) : ROOT_CONTEXT;
}
