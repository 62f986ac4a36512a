// One HTTP server: Apollo Server on POST/GET /graphql, graphql-ws on the same port and path, health and
// readiness probes, Prometheus metrics; stop() drains requests and closes subscriptions cleanly. Each concern
// is a factory of its own (graphql/, http/); this file only composes them in order.
import { createServer } from 'node:http';
import type { Context } from '@opentelemetry/api';
import type { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Express } from 'express';
import { shutdownBudget } from './app';
import type { App } from './app';
import { authenticate } from './auth/authenticate';
import type { TenantContext } from './auth/tenant-context';
import { createRequestContext } from './context';
import type { RequestContext } from './context';
import type { ConnectionStreamSlots } from './limits/connection-stream-slots';
import { createApolloServer } from './graphql/apollo-server';
import { buildSchema } from './graphql/build-schema';
import { guardEntitiesField } from './graphql/entity-representations';
import { createGraphqlWsServer } from './graphql/graphql-ws-server';
import { httpContext } from './graphql/http-context';
import { maskError } from './graphql/mask-error';
import { operationLimitRules } from './graphql/validation-rules';
import { bodyErrorHandler } from './http/body-error-handler';
import { devPageRoutes } from './http/dev-page-routes';
import { listen } from './http/listen';
import { metricsRoute } from './http/metrics-route';
import { livenessProbe, readinessProbe } from './http/probes';
import { httpServerSpan } from './observability/tracing/http-server-span';
import { statusRoute } from './http/status-route';

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Drains in-flight HTTP requests and closes subscriptions while the job runner, told at once, takes no new job
   * and gives its runs their grace (handing back the rest); then releases the stores. Each within its share of
   * SHUTDOWN_GRACE_MS from the call (app.ts, shutdownBudget).
   */
  stop(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';

export async function startServer(app: App, at: { port: number; host: string }): Promise<RunningServer> {
  const { logger } = app;
  const settings = app.config.server;
  const schema = buildSchema({ sdlWithoutSecurityDirectives: settings.sdlWithoutSecurityDirectives });
  guardEntitiesField(schema, settings.maxEntityRepresentations);
  const validationRules = operationLimitRules({
    maxDepth: settings.maxQueryDepth,
    maxCost: settings.maxQueryCost,
    maxAliases: settings.maxQueryAliases,
  });
  const formatError = maskError(logger);
  // Schema introspection is open outside production only, over HTTP and graphql-ws alike.
  const introspection = !app.config.production;
  const contextDeps = {
    features: app.features,
    jobs: app.jobs,
    documents: app.store.documents,
    logger,
    maxAiFieldsPerOperation: settings.maxAiFieldsPerOperation,
  };
  // Over HTTP the request's trace context is the active one; a graphql-ws connection hands over its own.
  const context = (
    tenant: TenantContext | null,
    connectionStreams?: ConnectionStreamSlots,
    traceContext?: Context,
  ): RequestContext => createRequestContext(contextDeps, tenant, { connectionStreams, traceContext });
  let stopping = false;

  const expressApp = express();
  expressApp.disable('x-powered-by');
  const httpServer = createServer(expressApp);
  httpServer.keepAliveTimeout = settings.keepAliveTimeoutMs;
  // A request's headers on a kept connection must be awaited past the keep-alive window, or Node would cut a
  // slow client's next request short of it.
  httpServer.headersTimeout = Math.max(httpServer.headersTimeout, settings.keepAliveTimeoutMs + 1_000);
  if (httpServer.requestTimeout > 0)
    httpServer.requestTimeout = Math.max(httpServer.requestTimeout, httpServer.headersTimeout);
  const wsServer = createGraphqlWsServer({
    httpServer,
    path: GRAPHQL_PATH,
    maxPayload: settings.maxRequestBytes,
    maxQueryTokens: settings.maxQueryTokens,
    documentCacheMaxBytes: app.config.server.documentCacheMaxBytes,
    maxStreamsPerConnection: settings.maxStreamsPerConnection,
    clockToleranceMs: app.config.auth.clockToleranceSeconds * 1000,
    schema,
    validationRules,
    introspection,
    formatError,
    authenticate: (authorization) => authenticate(app.verifyToken, logger, authorization, 'ws'),
    context,
  });
  const apollo = createApolloServer({
    schema,
    validationRules,
    maxQueryTokens: settings.maxQueryTokens,
    formatError,
    logger,
    introspection,
    documentCacheMaxBytes: app.config.server.documentCacheMaxBytes,
    httpServer,
    drainGraceMs: shutdownBudget(settings.shutdownGraceMs).httpDrainMs,
    wsServer,
    wsPath: GRAPHQL_PATH,
  });
  await apollo.start();
  mountRoutes(expressApp, {
    app,
    apollo,
    context,
    maxRequestBytes: settings.maxRequestBytes,
    isStopping: () => stopping,
  });

  const { port, url, address } = await listen(httpServer, at, GRAPHQL_PATH);
  logger.info({ url, address }, 'subgraph listening');
  return {
    url,
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      // Side by side, not one after the other: the runs' grace is spent while the HTTP requests drain.
      const [httpDrained] = await Promise.allSettled([apollo.stop(), app.drain()]);
      // Closed whatever the drain's end: a run handed back and the stores released lose nothing.
      await app.close();
      if (httpDrained.status === 'rejected') throw httpDrained.reason;
    },
  };
}

/**
 * The probes, metrics and status page, the development page outside production, then /graphql behind the body parser, then
 * the handler for what the parser refuses.
 */
function mountRoutes(
  expressApp: Express,
  deps: {
    app: App;
    apollo: ApolloServer<RequestContext>;
    context: (tenant: TenantContext | null) => RequestContext;
    maxRequestBytes: number;
    isStopping: () => boolean;
  },
): void {
  const { app, maxRequestBytes } = deps;
  expressApp.get('/healthz', livenessProbe());
  expressApp.get(
    '/readyz',
    readinessProbe({
      isStopping: deps.isStopping,
      pings: { store: () => app.store.documents.ping() },
      // Redis down: caches miss, limits follow LIMITS_ON_REDIS_FAILURE, every feature still answers its union.
      degradable: { state: () => app.state.ping() },
    }),
  );
  expressApp.get('/metrics', metricsRoute(app.metrics.registry));
  expressApp.get('/status', statusRoute(app.statusRecorder, app.config.gateway.routes));
  // Ahead of Apollo, which has no landing page (a browser's GET without a query gets its 400 there).
  if (!app.config.production) expressApp.use(devPageRoutes(GRAPHQL_PATH));
  expressApp.use(
    GRAPHQL_PATH,
    express.json({ limit: maxRequestBytes }),
    httpServerSpan(GRAPHQL_PATH),
    expressMiddleware(deps.apollo, {
      context: httpContext({
        authenticate: (authorization) => authenticate(app.verifyToken, app.logger, authorization, 'http'),
        context: deps.context,
      }),
    }),
  );
  expressApp.use(bodyErrorHandler({ maxRequestBytes, logger: app.logger }));
}
