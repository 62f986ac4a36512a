// Benchmark child: the real subgraph (createApp + startServer, exactly as main.ts builds it) on a free port,
// configured from the environment the parent passes. With BENCH_SEED_DOCUMENTS > 0 it first ingests a
// generated corpus for BENCH_TENANT through the ingest feature, before it reports ready.
import { createApp } from '../../subgraph/app';
import { loadConfig } from '../../subgraph/config';
import { createLogger } from '../../subgraph/observability/logger';
import { startServer } from '../../subgraph/server';
import { runAsChild } from './child-process';
import { generateDocuments } from './corpus';
import { diagnoseSearch } from './search-diagnostics';
import type { DiagnoseArgs } from './search-diagnostics';

runAsChild(async () => {
  const config = loadConfig();
  const app = await createApp(config, createLogger(config.env.LOG_LEVEL));
  const tenantId = process.env.BENCH_TENANT ?? 'bench';
  const documents = Number(process.env.BENCH_SEED_DOCUMENTS ?? '0');
  const charsPerDocument = Number(process.env.BENCH_SEED_CHARS ?? '9000');

  let chunks = 0;
  const seedStarted = Date.now();
  try {
    if (documents > 0) {
      const call = {
        tenant: { tenantId, subject: 'bench-seeder', scopes: new Set(['ai:ingest']) },
        requestId: 'bench-seed',
        loadDocument: () => Promise.resolve(null),
      };
      for (const doc of generateDocuments(documents, charsPerDocument)) {
        chunks += (await app.features.ingest.ingest(call, doc)).chunks;
      }
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  const seedMs = Date.now() - seedStarted;

  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  return {
    ready: { url: server.url, documents, chunks, seedMs },
    stop: () => server.stop(),
    handlers: {
      diagnose: (args) => diagnoseSearch(app, tenantId, args as DiagnoseArgs),
    },
  };
});
