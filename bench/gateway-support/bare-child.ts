// Benchmark child: the ceiling for cache hits. Apollo Server 5 with the subgraph's own schema on express 5
// and nothing else: no auth, no validation rules of ours, no error masking, no plugins beyond Apollo's
// defaults. It answers `{ __typename }`, the cheapest operation a GraphQL server can serve.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { buildSchema } from '../../subgraph/graphql/build-schema';
import { serveChild } from './child';

serveChild(async () => {
  const apollo = new ApolloServer({ schema: buildSchema() });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ready: { url: `http://127.0.0.1:${port}/graphql` },
    async stop() {
      await apollo.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
