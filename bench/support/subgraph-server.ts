// Benchmark child: the real subgraph (createApp + startServer, exactly as main.ts builds it) on a free port,
// configured from the environment the parent passes. With BENCH_SEED_DOCUMENTS > 0 it first ingests a
// generated corpus for BENCH_TENANT through the ingest feature, before it reports ready.
import { createApp } from '../../subgraph/app';
import { loadConfig } from '../../subgraph/config';
import { createLogger } from '../../subgraph/observability/logger';
import { startServer } from '../../subgraph/server';
import { runAsChild } from './child-process';
import { seedCorpus } from './seed';
import { diagnoseSearch } from './search-diagnostics';
import type { DiagnoseArgs } from './search-diagnostics';

runAsChild(async () => {
  const config = loadConfig();
  const app = await createApp(config, createLogger(config.logging.level));
  const tenantId = process.env.BENCH_TENANT ?? 'bench';
  const documents = Number(process.env.BENCH_SEED_DOCUMENTS ?? '0');
  const charsPerDocument = Number(process.env.BENCH_SEED_CHARS ?? '9000');

  const { chunks, seedMs } = await seedCorpus(app, { tenantId, documents, charsPerDocument });

  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  return {
    ready: { url: server.url, documents, chunks, seedMs },
    stop: () => server.stop(),
    handlers: {
      diagnose: (args) => diagnoseSearch(app, tenantId, args as DiagnoseArgs),
    },
  };
});
