// A graphql-ws client (the real one, over the `ws` package) that runs one subscription to its end and says
// how it ended: the results it received, or the close event when the server refused the connection.
import { createClient } from 'graphql-ws';
import type { Client, FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export interface WsClosed {
  kind: 'closed';
  code: number;
  reason: string;
}

export interface WsResults<Data> {
  kind: 'results';
  /** Every `next` payload, in order; a subscription refused with errors ends as one result holding them. */
  results: FormattedExecutionResult<Data, unknown>[];
}

export type WsOutcome<Data> = WsClosed | WsResults<Data>;

export interface WsSubscribeOptions {
  /** The connection_init payload, where the token travels. */
  connectionParams?: Record<string, unknown>;
  /** Headers of the WebSocket upgrade request, as Apollo Router sends the propagated Authorization. */
  headers?: Record<string, string>;
  variables?: Record<string, unknown>;
  /** Fails the call when neither a close nor a completion arrives in time. */
  timeoutMs?: number;
}

function closeEventOf(value: unknown): WsClosed | null {
  if (typeof value !== 'object' || value === null || !('code' in value)) return null;
  const { code, reason } = value as { code: unknown; reason?: unknown };
  return typeof code === 'number'
    ? { kind: 'closed', code, reason: typeof reason === 'string' ? reason : '' }
    : null;
}

export function subscribeOnce<Data = Record<string, unknown>>(
  url: string,
  query: string,
  options: WsSubscribeOptions = {},
): Promise<WsOutcome<Data>> {
  const { connectionParams, headers, variables, timeoutMs = 10_000 } = options;
  return new Promise<WsOutcome<Data>>((resolve, reject) => {
    const results: FormattedExecutionResult<Data, unknown>[] = [];
    let settled = false;
    const finish = (outcome: WsOutcome<Data> | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // dispose() rejects with the close event when the socket is already closed; that close is the outcome.
      void Promise.resolve()
        .then(() => client.dispose())
        .catch(() => undefined)
        .finally(() => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
    };
    const timer = setTimeout(
      () => finish(new Error(`graphql-ws: no completion or close within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const client = createClient({
      url,
      webSocketImpl: headers ? withUpgradeHeaders(headers) : WebSocket,
      // Connect at once and never retry, so a refused connection_init ends in the server's close event.
      lazy: false,
      retryAttempts: 0,
      connectionParams,
      onNonLazyError: (error) => finish(closeEventOf(error) ?? toError(error)),
      on: {
        closed: (event) => {
          const closed = closeEventOf(event);
          if (closed) finish(closed);
        },
      },
    });
    client.subscribe<Data>(
      { query, variables },
      {
        next: (result) => results.push(result),
        error: (error) => {
          const closed = closeEventOf(error);
          if (closed) finish(closed);
          else if (Array.isArray(error))
            finish({
              kind: 'results',
              results: [...results, { errors: error }],
            });
          else finish(toError(error));
        },
        complete: () => finish({ kind: 'results', results }),
      },
    );
  });
}

/** A WebSocket class that sends `headers` on its upgrade request (graphql-ws passes only url and protocol). */
function withUpgradeHeaders(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  };
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(`graphql-ws: ${JSON.stringify(value)}`);
}

/** One subscription started on a WsConnection: its results so far, and how it ends. */
export interface WsStream<Data> {
  readonly results: FormattedExecutionResult<Data, unknown>[];
  /** Resolves when the subscription completes, errors, or its socket closes. */
  readonly ended: Promise<WsOutcome<Data>>;
  /** Unsubscribes (sends `complete`). */
  stop(): void;
}

/** A graphql-ws connection kept open across operations, as a router or a browser holds one. */
export interface WsConnection {
  /** Resolves with the close event of the first socket the server closes. */
  readonly closed: Promise<WsClosed>;
  start<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): WsStream<Data>;
  /** Runs one operation to its end on this connection. */
  run<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<WsOutcome<Data>>;
  dispose(): Promise<void>;
}

/** Opens a connection at once (connection_init with `connectionParams`), never retrying. */
export function openWsConnection(url: string, connectionParams: Record<string, unknown>): WsConnection {
  let onClosed: (event: WsClosed) => void = () => undefined;
  const closed = new Promise<WsClosed>((resolve) => (onClosed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const close = closeEventOf(event);
        if (close) onClosed(close);
      },
    },
  });
  const start = <Data>(query: string, variables?: Record<string, unknown>): WsStream<Data> => {
    const results: FormattedExecutionResult<Data, unknown>[] = [];
    let end: (outcome: WsOutcome<Data>) => void = () => undefined;
    const ended = new Promise<WsOutcome<Data>>((resolve) => (end = resolve));
    const stop = client.subscribe<Data>(
      { query, variables },
      {
        next: (result) => results.push(result),
        error: (error) =>
          end(
            closeEventOf(error) ?? {
              kind: 'results',
              results: [...results, { errors: Array.isArray(error) ? error : [toError(error)] }],
            },
          ),
        complete: () => end({ kind: 'results', results }),
      },
    );
    return { results, ended, stop };
  };
  return {
    closed,
    start,
    run: <Data>(query: string, variables?: Record<string, unknown>) => start<Data>(query, variables).ended,
    dispose: async () => {
      await Promise.resolve(client.dispose()).catch(() => undefined);
    },
  };
}

/**
 * A graphql-ws client that sends `token` in connection_init, as a browser holds one: it connects at its first
 * subscription and never retries, so a test's unsubscribe (or the server) is what ends a stream. Dispose it.
 */
export function bearerWsClient(url: string, token: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
}

/**
 * Subscribes to `query`, a subscription to `field` selecting its __typename: each event's typename goes to
 * `events` in order, and 'error' for an event without data or for the subscription's error, so a test sees how
 * the stream went as it goes. Returns the unsubscribe.
 */
export function subscribeTypenames(
  client: Client,
  query: string,
  field: string,
  events: string[],
): () => void {
  return client.subscribe<Record<string, { __typename: string } | undefined>>(
    { query },
    {
      next: (result) => events.push(result.data?.[field]?.__typename ?? 'error'),
      error: () => events.push('error'),
      complete: () => undefined,
    },
  );
}
