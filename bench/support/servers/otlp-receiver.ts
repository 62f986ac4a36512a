// Benchmark child: a local OTLP/HTTP collector stand-in. It takes whatever the subgraph's exporter posts to
// /v1/traces (JSON or protobuf), answers 200 as a collector does, and counts the exports and their bytes, so
// the tracing-on run pays for real serialization and a real HTTP export without a collector to install.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveChild } from '../child-process';

serveChild(async () => {
  const received = { exports: 0, bytes: 0 };
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        received.exports++;
        received.bytes += bytes;
      }
      const json = req.headers['content-type']?.includes('json') ?? false;
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ready: { endpoint: `http://127.0.0.1:${port}` },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    handlers: { received: () => ({ ...received }) },
  };
});
