// Subscriptions over graphql-ws on the HTTP server's own port and path, as Apollo Router speaks to subgraphs.
// The token travels in connection_init, so a socket is authenticated once, before any operation, and lives no
// longer than its token; each operation is parsed and validated as over HTTP, and its errors are masked the
// same way. Each connection holds a bounded number of streams at once, and a bounded amount of unread replies.
import type { Server } from 'node:http';
import type { Context } from '@opentelemetry/api';
import { GraphQLError, specifiedRules } from 'graphql';
import type { GraphQLFormattedError, GraphQLSchema, ValidationRule } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { connectionCredential } from '../auth/connection-token';
import type { TenantContext } from '../auth/tenant-context';
import { connectionStreamSlots } from '../limits/connection-stream-slots';
import type { ConnectionStreamSlots } from '../limits/connection-stream-slots';
import { contextOfConnection } from '../observability/tracing/remote-context';
import type { maskError } from './mask-error';
import { createValidatedDocuments } from './document-cache';
import { noIntrospectionRule } from './validation-rules';
import { prepareOperation } from './ws-operation';
import { closeAtExpiry, closeUnauthorized } from './ws-token-expiry';
import { UNREAD_PAYLOADS, cutUnreadConnections } from './ws-unread-bound';
import { withUserInputCode } from './user-input-error';
import { wsDrain } from './ws-drain';

export { WS_UNAUTHORIZED } from './ws-token-expiry';

export interface GraphqlWsServerOptions<TContext extends object> {
  httpServer: Server;
  path: string;
  /** Largest message accepted, in bytes: the same bound as an HTTP body. */
  maxPayload: number;
  /** Tokens one operation may have: the same bound as over HTTP. */
  maxQueryTokens: number;
  /** Estimated heap of validated documents remembered (as Apollo's document store over HTTP); 0: none. */
  documentCacheMaxBytes: number;
  /** Streams one connection may hold open at once. */
  maxStreamsPerConnection: number;
  /** How long past its `exp` a token is still accepted: the verifier's clock tolerance. */
  clockToleranceMs: number;
  schema: GraphQLSchema;
  validationRules: ValidationRule[];
  /** False: `__schema` and `__type` are refused, as Apollo Server's own option refuses them over HTTP. */
  introspection: boolean;
  formatError: ReturnType<typeof maskError>;
  /** Resolves the connection_init `authorization` into a tenant; rejects when it is missing or bad. */
  authenticate(authorization: unknown): Promise<TenantContext>;
  context(
    tenant: TenantContext | null,
    connectionStreams: ConnectionStreamSlots | undefined,
    traceContext: Context | undefined,
  ): TContext;
}

/** What a connection carries from connection_init to each of its operations (a type: graphql-ws wants a record). */
type Connection = {
  tenant?: TenantContext;
  /** Epoch ms past which the token no longer verifies; undefined for a token without `exp`. */
  validUntil?: number;
  streams?: ConnectionStreamSlots;
  /** The caller's trace (connection_init's traceparent), parent of every operation's spans on the socket. */
  traceContext?: Context;
};

/**
 * An error as a client sees it over graphql-ws: `extensions.http` is a status for an HTTP reply (Apollo Server
 * takes it off the error there), which a WebSocket message has none of.
 */
function withoutHttp(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

export interface GraphqlWsServer extends Disposable {
  /**
   * Lets the streams open finish within `graceMs`, refusing new operations and closing each connection (1001)
   * once it has none open (ws-drain.ts), then dispose()s; resolves with how many connections were still
   * streaming when the grace ended.
   */
  drain(graceMs: number): Promise<number>;
}

/** Starts serving graphql-ws; dispose() closes every socket (1001) and stops accepting new ones. */
export function createGraphqlWsServer<TContext extends object>(
  options: GraphqlWsServerOptions<TContext>,
): GraphqlWsServer {
  const { formatError } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayload,
  });
  cutUnreadConnections(wsServer, UNREAD_PAYLOADS * options.maxPayload);
  const drain = wsDrain(wsServer);
  const operationRules = {
    schema: options.schema,
    rules: [
      ...specifiedRules,
      ...(options.introspection ? [] : [noIntrospectionRule]),
      ...options.validationRules,
    ],
    maxTokens: options.maxQueryTokens,
    validated: createValidatedDocuments(options.documentCacheMaxBytes),
  };
  const served = useServer<Record<string, unknown> | undefined, Connection>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        let tenant: TenantContext;
        try {
          tenant = await options.authenticate(connectionCredential(ctx.connectionParams, ctx.extra.request));
        } catch {
          closeUnauthorized(socket);
          return false;
        }
        ctx.extra.tenant = tenant;
        ctx.extra.streams = connectionStreamSlots(options.maxStreamsPerConnection);
        ctx.extra.traceContext = contextOfConnection(ctx.connectionParams, ctx.extra.request.headers);
        drain.accepted(socket, ctx);
        if (tenant.tokenExpiresAt !== undefined) {
          ctx.extra.validUntil = tenant.tokenExpiresAt + options.clockToleranceMs;
          // The client may have left during the await above: closeAtExpiry arms nothing for a closed socket.
          closeAtExpiry(socket, ctx.extra.validUntil);
        }
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const { validUntil, socket } = ctx.extra;
        if (validUntil !== undefined && Date.now() >= validUntil) {
          // The expiry timer is late (a busy event loop): nothing runs on the expired token meanwhile. The
          // error is for the server's bookkeeping; the client sees the 4401 close.
          closeUnauthorized(socket);
          return [new GraphQLError('Unauthorized', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        // The connection closes once its open operations end; a new one belongs on another replica.
        if (drain.draining()) return [shuttingDown()];
        return prepareOperation(operationRules, payload);
      },
      context: (ctx) => options.context(ctx.extra.tenant ?? null, ctx.extra.streams, ctx.extra.traceContext),
      // Errors that end a subscription (bad input, a bug) are masked like HTTP ones; graphql-ws gives them no
      // path, so the original error is handed over explicitly rather than unwrapped.
      // A variable the types refuse is bad input, as Apollo Server tags it over HTTP (user-input-error.ts).
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => {
          const tagged = withUserInputCode(error);
          return formatError(withoutHttp(tagged.toJSON()), tagged.originalError ?? tagged);
        }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((error: GraphQLError) => {
                const tagged = withUserInputCode(error);
                return formatError(withoutHttp(tagged.toJSON()), tagged);
              }),
            }
          : undefined,
    },
    wsServer,
  );
  return {
    dispose: () => served.dispose(),
    async drain(graceMs) {
      const streaming = await drain.drain(graceMs);
      await served.dispose();
      return streaming;
    },
  };
}

/** A new operation on a draining connection: the client subscribes again on a new connection, elsewhere. */
const shuttingDown = () =>
  new GraphQLError('This server is shutting down: send the operation again on a new connection.', {
    extensions: { code: 'SHUTTING_DOWN' },
  });
