// Benchmark child: the baseline. Apollo Server 5 with the subgraph's own schema on express 5, and nothing
// else: no auth, no validation rules of ours, no error masking, no plugins beyond Apollo's defaults.
// BENCH_BARE_SCHEMA=hello serves `type Query { hello: String }` instead (issue 13's trivial query), on the
// same http framework as the subgraph.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSchema } from '../../../subgraph/graphql/build-schema';
import { serveChild } from '../child-process';

serveChild(async () => {
  const apollo =
    process.env.BENCH_BARE_SCHEMA === 'hello'
      ? new ApolloServer({
          typeDefs: 'type Query { hello: String }',
          resolvers: { Query: { hello: () => 'world' } },
        })
      : new ApolloServer({ schema: buildSchema() });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const httpServer = createServer(app);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    ready: { url: `http://127.0.0.1:${port}/graphql` },
    async stop() {
      await apollo.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
});
