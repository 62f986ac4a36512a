// One HTTP server: Apollo Server on POST/GET /graphql, graphql-ws on the same port and path, health and
// readiness probes, Prometheus metrics; stop() drains requests and closes subscriptions cleanly. Each concern
// is a factory of its own (graphql/, http/); this file only composes them in order.
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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

/** What is open on the server now: HTTP requests not yet answered, and upgraded (graphql-ws) sockets. */
export interface InFlight {
  requests: number;
  sockets: number;
}

export interface StopOutcome {
  /** What the HTTP drain's grace ended on, still in flight, and cut; zeros when everything drained. */
  cut: InFlight;
}

export interface RunningServer {
  url: string;
  port: number;
  /**
   * From now on /readyz answers 503 `stopping`, while every other request (and new connection) is served as
   * before: the load balancer takes the replica out of rotation before stop() closes the listener.
   */
  withdraw(): void;
  inFlight(): InFlight;
  /**
   * Withdraws, then drains in-flight HTTP requests and closes subscriptions while the job runner, told at once,
   * takes no new job and gives its runs their grace (handing back the rest); then releases the stores. Each
   * within its share of SHUTDOWN_GRACE_MS from the call (app.ts, shutdownBudget). Resolves with what the drain's
   * grace cut; the same promise if called again.
   */
  stop(): Promise<StopOutcome>;
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
  // /readyz's `stopping`: set by withdraw(), before the drain, or by stop() itself.
  let withdrawn = false;
  let stopped: Promise<StopOutcome> | undefined;

  const expressApp = express();
  expressApp.disable('x-powered-by');
  const httpServer = createServer(expressApp);
  httpServer.keepAliveTimeout = settings.keepAliveTimeoutMs;
  // A request's headers on a kept connection must be awaited past the keep-alive window, or Node would cut a
  // slow client's next request short of it.
  httpServer.headersTimeout = Math.max(httpServer.headersTimeout, settings.keepAliveTimeoutMs + 1_000);
  if (httpServer.requestTimeout > 0)
    httpServer.requestTimeout = Math.max(httpServer.requestTimeout, httpServer.headersTimeout);
  const open = trackInFlight(httpServer);
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
    isStopping: () => withdrawn,
  });

  const { port, url, address } = await listen(httpServer, at, GRAPHQL_PATH);
  logger.info({ url, address }, 'subgraph listening');
  return {
    url,
    port,
    withdraw() {
      withdrawn = true;
    },
    inFlight: () => ({ requests: open.requests.size, sockets: open.sockets.size }),
    stop() {
      withdrawn = true;
      return (stopped ??= (async () => {
        // Apollo's drain ends its grace by cutting every socket still open, and says nothing of them: what is in
        // flight at that moment is noted here. Armed before apollo.stop() arms its own timer of the same length,
        // so that this one fires first (Node runs timers of one duration in the order they were set).
        let atGraceEnd: { responses: ServerResponse[]; sockets: number } | undefined;
        const graceEnd = setTimeout(() => {
          atGraceEnd = { responses: [...open.requests], sockets: open.sockets.size };
        }, shutdownBudget(settings.shutdownGraceMs).httpDrainMs);
        // Side by side, not one after the other: the runs' grace is spent while the HTTP requests drain.
        const [httpDrained] = await Promise.allSettled([apollo.stop(), app.drain()]);
        clearTimeout(graceEnd);
        // Closed whatever the drain's end: a run handed back and the stores released lose nothing.
        await app.close();
        if (httpDrained.status === 'rejected') throw httpDrained.reason;
        // A response that got its last byte out in the instant between the note and the cut was not cut.
        const cut: InFlight = atGraceEnd
          ? {
              requests: atGraceEnd.responses.filter((response) => !response.writableFinished).length,
              sockets: atGraceEnd.sockets,
            }
          : { requests: 0, sockets: 0 };
        return { cut };
      })());
    },
  };
}

/**
 * The HTTP requests not yet answered and the sockets handed to graphql-ws, kept current: a response leaves the
 * set at its `close` (answered, or its connection gone), a socket at its own `close`.
 */
function trackInFlight(httpServer: ReturnType<typeof createServer>): {
  requests: Set<ServerResponse>;
  sockets: Set<Duplex>;
} {
  const requests = new Set<ServerResponse>();
  const sockets = new Set<Duplex>();
  httpServer.on('request', (_req, res: ServerResponse) => {
    requests.add(res);
    res.once('close', () => requests.delete(res));
  });
  httpServer.on('upgrade', (_req, socket: Duplex) => {
    // An upgrade graphql-ws refuses is closed at once; one it accepts lives as long as its connection.
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { requests, sockets };
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
