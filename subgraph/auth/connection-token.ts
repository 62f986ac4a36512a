// Finds the credential of a graphql-ws connection wherever the clients in use put it. graphql-ws clients send
// `authorization` (or `Authorization`) in connection_init; Apollo Router sends the propagated Authorization
// header as `token`, and also as the upgrade request's Authorization header; some clients nest it under
// `headers`. The value is returned as sent, for authenticate() to parse and refuse: a wrong type or a
// malformed token must still end in 4401, never fall through to a weaker source.
import type { IncomingMessage } from 'node:http';

/** In this order: the first one present wins, so a payload credential overrides the upgrade header. */
const PAYLOAD_KEYS = ['authorization', 'Authorization', 'token'] as const;

export function connectionCredential(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  upgradeRequest: Pick<IncomingMessage, 'headers'>,
): unknown {
  const params = connectionParams ?? {};
  for (const key of PAYLOAD_KEYS) {
    if (isPresent(params[key])) return params[key];
  }
  const nested = nestedHeaders(params.headers);
  if (isPresent(nested)) return nested;
  return upgradeRequest.headers.authorization;
}

function nestedHeaders(headers: unknown): unknown {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const record = headers as Record<string, unknown>;
  return isPresent(record.authorization) ? record.authorization : record.Authorization;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}
