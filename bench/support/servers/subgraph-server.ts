// Benchmark child: the real subgraph (createApp + startServer, exactly as main.ts builds it) on a free port,
// configured by loadConfig from the environment the parent passes. With BENCH_SEED_DOCUMENTS > 0 it first
// ingests a generated corpus for BENCH_TENANT through the ingest feature, before it reports ready. Handlers:
// the metrics registry as JSON, the HTTP timings, a CPU profiler around one scenario, the search diagnosis, and
// the process's memory (RSS and heap) for the soak and streams benchmarks, a full GC and a heap snapshot. BENCH_LOG_FILE sends its log lines to a file.
import { writeFile } from 'node:fs/promises';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { createApp } from '../../../subgraph/app';
import { loadConfig } from '../../../subgraph/config';
import { flushLogs, logDestination } from '../../../subgraph/observability/log-destination';
import { createLogger } from '../../../subgraph/observability/logger';
import { startTracing } from '../../../subgraph/observability/tracing/start-tracing';
import { startServer } from '../../../subgraph/server';
import { serveChild } from '../child-process';
import { diagnoseSearch } from '../search-diagnostics';
import type { DiagnoseArgs } from '../search-diagnostics';
import { seedCorpus } from '../seed';
import { takeHttpTimings, timeHttpServers } from './http-timings';

export type { HttpTimings } from './http-timings';

serveChild(async () => {
  timeHttpServers();
  const config = loadConfig();
  // As main.ts does: the OTEL_* variables the parent passes decide whether spans are exported.
  const tracing = startTracing(config.tracing);
  // BENCH_LOG_FILE: the log lines go to a file through main.ts's destination (written in blocks, off the
  // event loop), as a deployment's go to its stdout, instead of the parent's console.
  const logFile = process.env.BENCH_LOG_FILE;
  const logger = createLogger(
    config.logging.level,
    logFile ? logDestination(logFile, { blocks: true }) : undefined,
  );
  const app = await createApp(config, logger);
  const tenantId = process.env.BENCH_TENANT ?? 'bench';
  const documents = Number(process.env.BENCH_SEED_DOCUMENTS ?? '0');
  const charsPerDocument = Number(process.env.BENCH_SEED_CHARS ?? '3000');
  const { chunks, seedMs } = await seedCorpus(app, { tenantId, documents, charsPerDocument });
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  const inspector = new Session();
  inspector.connect();
  return {
    ready: { url: server.url, documents, chunks, seedMs },
    async stop() {
      inspector.disconnect();
      await server.stop();
      await tracing.shutdown();
      await flushLogs(logger);
    },
    handlers: {
      metrics: () => app.metrics.registry.getMetricsAsJSON(),
      memory: () => process.memoryUsage(),
      /** A full collection first (when started with --expose-gc), so memory reads what is retained. */
      gc: () => {
        globalThis.gc?.();
        return globalThis.gc !== undefined;
      },
      /** Writes a .heapsnapshot (what DevTools loads) to the given path. */
      heapSnapshot: (args) => writeHeapSnapshot(String(args)),
      tracing: () => tracing.exporting,
      httpTimings: () => takeHttpTimings(),
      diagnose: (args) => diagnoseSearch(app, tenantId, args as DiagnoseArgs),
      async profileStart() {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
        await inspector.post('Profiler.start');
        return null;
      },
      /**
       * Samples allocations until allocationStop: garbage included (what the collector is handed), or with
       * `{ survivorsOnly: true }` only what outlived a young-generation collection (what a scavenge copies and
       * promotes), whether or not a full collection took it later.
       */
      async allocationStart(args) {
        const survivorsOnly = (args as { survivorsOnly?: boolean } | undefined)?.survivorsOnly === true;
        await inspector.post('HeapProfiler.enable');
        await inspector.post('HeapProfiler.startSampling', {
          samplingInterval: 4096,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: !survivorsOnly,
        });
        return null;
      },
      /** Stops allocation sampling and writes the .heapprofile (Chrome DevTools format) to the given path. */
      async allocationStop(args) {
        const { profile } = await inspector.post('HeapProfiler.stopSampling');
        await writeFile(String(args), JSON.stringify(profile));
        return String(args);
      },
      /** Stops the profiler and writes the .cpuprofile (Chrome DevTools format) to the given path. */
      async profileStop(args) {
        const { profile } = await inspector.post('Profiler.stop');
        await writeFile(String(args), JSON.stringify(profile));
        return String(args);
      },
    },
  };
});
