// Apollo Server for POST/GET /graphql with this subgraph's rules: operation limits, masked errors, no stack
// traces, federated traces on request, subscriptions refused (they live on graphql-ws), anonymous access only
// to public fields, and a drain that takes the HTTP server and the graphql-ws sockets down together.
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { GraphqlWsServer } from './graphql-ws-server';
import type { RequestContext } from '../context';
import { createDocumentCache } from './document-cache';
import type { Logger } from '../observability/logger';
import { drainGraphqlWsPlugin } from './drain-graphql-ws-plugin';
import { drainHttpServerPlugin } from './drain-http-plugin';
import type { maskError } from './mask-error';
import { refuseHttpSubscriptionsPlugin } from './refuse-http-subscriptions-plugin';
import { requireAuthenticationPlugin } from './require-authentication-plugin';

export interface ApolloServerOptions {
  schema: GraphQLSchema;
  validationRules: ValidationRule[];
  /** Tokens one operation may have: graphql-js stops parsing there, before its recursion runs deep. */
  maxQueryTokens: number;
  formatError: ReturnType<typeof maskError>;
  logger: Logger;
  introspection: boolean;
  /** The bound on parsed documents remembered (estimated heap bytes); 0 parses every request. */
  documentCacheMaxBytes: number;
  httpServer: Server;
  /**
   * How long stop() lets in-flight HTTP requests finish before their sockets are cut: the HTTP part of
   * SHUTDOWN_GRACE_MS (app.ts, shutdownBudget). Omitted: Apollo's own 10 s.
   */
  drainGraceMs?: number;
  wsServer: GraphqlWsServer;
  /** Where graphql-ws listens, named to a client that sends a subscription over HTTP. */
  wsPath: string;
}

/** The drain's grace where none is given: Apollo's own default for its HTTP drain. */
const APOLLO_DRAIN_GRACE_MS = 10_000;

export function createApolloServer(options: ApolloServerOptions): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    schema: options.schema,
    validationRules: options.validationRules,
    parseOptions: { maxTokens: options.maxQueryTokens },
    formatError: options.formatError,
    logger: options.logger,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    documentStore: createDocumentCache(options.documentCacheMaxBytes),
    // main.ts owns SIGTERM/SIGINT and calls stop(); Apollo's own handler would race it, and a second concurrent
    // apollo.stop() never resolves, so the drain would hang until the event loop emptied without closing stores.
    stopOnTerminationSignals: false,
    plugins: [
      drainHttpServerPlugin(options.httpServer, options.drainGraceMs ?? APOLLO_DRAIN_GRACE_MS),
      // Federated traces (ftv1) for the router, only when it asks; errors in them are masked like responses.
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      // Before the authentication check: a subscription over HTTP is refused for its transport, token or not.
      refuseHttpSubscriptionsPlugin(options.wsPath),
      requireAuthenticationPlugin(),
      drainGraphqlWsPlugin(options.wsServer, options.drainGraceMs ?? APOLLO_DRAIN_GRACE_MS, options.logger),
      // Apollo's landing pages load Apollo Sandbox from a CDN; http/dev-page-routes.ts serves an offline one.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
}
