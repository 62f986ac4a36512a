// Subscriptions over graphql-ws on the HTTP server's own port and path, as Apollo Router speaks to subgraphs.
// The token travels in connection_init, so a socket is authenticated once, before any operation; it runs the
// same validation rules as HTTP, and its errors are masked the same way.
import type { Server } from 'node:http';
import { GraphQLError, specifiedRules, validate } from 'graphql';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { connectionCredential } from '../auth/connection-token';
import type { TenantContext } from '../auth/tenant-context';
import type { maskError } from './mask-error';

/** graphql-ws would close with 4403; the protocol's own code for a missing or bad token is 4401. */
export const WS_UNAUTHORIZED = 4401;

export interface GraphqlWsServerOptions<TContext extends object> {
  httpServer: Server;
  path: string;
  /** Largest message accepted, in bytes: the same bound as an HTTP body. */
  maxPayload: number;
  schema: GraphQLSchema;
  validationRules: ValidationRule[];
  formatError: ReturnType<typeof maskError>;
  /** Resolves the connection_init `authorization` into a tenant; rejects when it is missing or bad. */
  authenticate(authorization: unknown): Promise<TenantContext>;
  context(tenant: TenantContext | null): TContext;
}

/** Starts serving graphql-ws; dispose() closes every socket (1001) and stops accepting new ones. */
export function createGraphqlWsServer<TContext extends object>(
  options: GraphqlWsServerOptions<TContext>,
): Disposable {
  const { formatError } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxPayload,
  });
  const rules = [...specifiedRules, ...options.validationRules];
  return useServer<Record<string, unknown> | undefined, { tenant?: TenantContext }>(
    {
      schema: options.schema,
      // Tagged as Apollo tags them over HTTP: without a code, the masking below would take a refused operation
      // for a bug and answer INTERNAL_SERVER_ERROR.
      validate: (schema, document) => validate(schema, document, rules).map(asValidationFailure),
      onConnect: async (ctx) => {
        try {
          ctx.extra.tenant = await options.authenticate(
            connectionCredential(ctx.connectionParams, ctx.extra.request),
          );
          return true;
        } catch {
          ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized');
          return false;
        }
      },
      context: (ctx) => options.context(ctx.extra.tenant ?? null),
      // Errors that end a subscription (bad input, a bug) are masked like HTTP ones; graphql-ws gives them no
      // path, so the original error is handed over explicitly rather than unwrapped.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => formatError(error.toJSON(), error.originalError ?? error)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((error: GraphQLError) => formatError(error.toJSON(), error)),
            }
          : undefined,
    },
    wsServer,
  );
}

function asValidationFailure(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}
