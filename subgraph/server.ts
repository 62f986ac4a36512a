// One HTTP server: Apollo Server on POST/GET /graphql, graphql-ws on the same port and path, health and
// readiness probes, Prometheus metrics; stop() drains requests and closes subscriptions cleanly.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { specifiedRules, validate } from 'graphql';
import type { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from './app';
import { authenticate } from './auth/authenticate';
import { unauthenticatedError } from './errors/graphql-errors';
import type { TenantContext } from './auth/tenant-context';
import { createRequestContext } from './context';
import type { RequestContext } from './context';
import { buildSchema } from './graphql/build-schema';
import { maskError } from './graphql/mask-error';
import { requireAuthenticationPlugin } from './graphql/require-authentication-plugin';
import { operationLimitRules } from './graphql/validation-rules';

export interface RunningServer {
  url: string;
  port: number;
  /** Drains in-flight HTTP requests, closes subscriptions, then releases the stores. */
  stop(): Promise<void>;
}

const WS_UNAUTHORIZED = 4401;

export async function startServer(app: App, listen: { port: number; host: string }): Promise<RunningServer> {
  const { config, logger } = app;
  const schema = buildSchema();
  const limitRules = operationLimitRules({
    maxDepth: config.server.maxQueryDepth,
    maxCost: config.server.maxQueryCost,
    maxAliases: config.server.maxQueryAliases,
  });
  const contextDeps = { features: app.features, documents: app.store.documents, logger };
  const formatError = maskError(logger);
  let stopping = false;

  const expressApp = express();
  expressApp.disable('x-powered-by');
  const httpServer = createServer(expressApp);

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    maxPayload: config.server.maxRequestBytes,
  });
  const wsServerCleanup = useServer<Record<string, unknown> | undefined, { tenant?: TenantContext }>(
    {
      schema,
      validate: (s, document) => validate(s, document, [...specifiedRules, ...limitRules]),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        try {
          ctx.extra.tenant = await authenticate(
            app.verifyToken,
            logger,
            params.authorization ?? params.Authorization,
            'ws',
          );
          return true;
        } catch {
          // graphql-ws would close with 4403; the protocol's own code for a missing or bad token is 4401.
          ctx.extra.socket.close(WS_UNAUTHORIZED, 'Unauthorized');
          return false;
        }
      },
      context: (ctx): RequestContext => createRequestContext(contextDeps, ctx.extra.tenant ?? null),
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

  const apollo = new ApolloServer<RequestContext>({
    schema,
    validationRules: limitRules,
    formatError,
    logger,
    introspection: !config.production,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and calls stop(); Apollo's own handler would race it, and a second concurrent
    // apollo.stop() never resolves, so the drain would hang until the event loop emptied without closing stores.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Federated traces (ftv1) for the router, only when it asks; errors in them are masked like responses.
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      requireAuthenticationPlugin(),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsServerCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  expressApp.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  expressApp.get('/readyz', async (_req, res) => {
    if (stopping) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const checks = await Promise.allSettled([app.store.documents.ping(), app.state.ping()]);
    const [store, state] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'down'));
    const ready = store === 'ok' && state === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', store, state });
  });
  expressApp.get('/metrics', async (_req, res) => {
    res.set('content-type', app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
  expressApp.use(
    '/graphql',
    express.json({ limit: config.server.maxRequestBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const header = req.headers.authorization;
        if (header === undefined) return createRequestContext(contextDeps, null);
        try {
          return createRequestContext(
            contextDeps,
            await authenticate(app.verifyToken, logger, header, 'http'),
          );
        } catch {
          throw unauthenticatedError();
        }
      },
    }),
  );
  // Body parser failures (too large, not JSON) answer in GraphQL's error shape, not as an HTML page.
  expressApp.use(
    (error: { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(error);
      const status = typeof error.status === 'number' && error.status < 500 ? error.status : 500;
      const message =
        error.type === 'entity.too.large'
          ? `Request body exceeds ${config.server.maxRequestBytes} bytes`
          : status === 400
            ? 'Request body is not valid JSON'
            : 'Internal server error';
      if (status === 500) logger.error({ err: error }, 'http request failed');
      res.status(status).json({
        errors: [{ message, extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url }, 'subgraph listening');

  return {
    url,
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      await apollo.stop();
      await app.close();
    },
  };
}
