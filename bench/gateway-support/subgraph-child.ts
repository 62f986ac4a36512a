// Benchmark child: the real subgraph (createApp + startServer, as main.ts builds it) on a free port,
// configured from the environment the parent passes. It first ingests BENCH_SEED_DOCUMENTS generated
// documents for BENCH_TENANT, so that `ask` retrieves real passages. Handlers expose the metrics registry
// and the circuit state of named targets, and a CPU profiler to start and stop around one scenario.
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { CircuitState } from 'cockatiel';
import { createApp } from '../../subgraph/app';
import { loadConfig } from '../../subgraph/config';
import { createLogger } from '../../subgraph/observability/logger';
import { startServer } from '../../subgraph/server';
import { seedCorpus } from '../support/seed';
import { serveChild } from './child';

export interface TargetRef {
  provider: 'openai' | 'anthropic' | 'selfhosted';
  model: string;
}

/** Nearest-rank percentiles of what the HTTP server itself saw, from its 'request' event to 'finish'. */
export interface HttpTimings {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connections accepted since the last call, and the longest wait from accept to their first parsed request. */
  connections: number;
  firstRequestWaitMaxMs: number;
}

// Wraps http.createServer before startServer calls it, so every response's time inside Node (from the parsed
// request head to the last byte handed to the socket) is recorded. Set against the client's latency, it
// tells queueing in front of Node (kernel, accept, the parser waiting for the event loop) from time in it.
const durations: number[] = [];
const firstRequestWaits: number[] = [];
let connections = 0;
const acceptedAt = new WeakMap<object, number>();
const createServer = http.createServer.bind(http);
http.createServer = ((...args: Parameters<typeof http.createServer>) => {
  const server = createServer(...args);
  server.on('connection', (socket) => {
    connections += 1;
    acceptedAt.set(socket, performance.now());
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    const accepted = acceptedAt.get(req.socket);
    if (accepted !== undefined) {
      acceptedAt.delete(req.socket);
      firstRequestWaits.push(started - accepted);
    }
    res.once('finish', () => durations.push(performance.now() - started));
  });
  return server;
}) as typeof http.createServer;

function takeTimings(): HttpTimings {
  const sorted = durations.splice(0).sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);
  const waits = firstRequestWaits.splice(0);
  const accepted = connections;
  connections = 0;
  return {
    count: sorted.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    connections: accepted,
    firstRequestWaitMaxMs: waits.length > 0 ? Math.max(...waits) : Number.NaN,
  };
}

serveChild(async () => {
  const config = loadConfig();
  const app = await createApp(config, createLogger(config.logging.level));
  const tenantId = process.env.BENCH_TENANT ?? 'bench';
  const documents = Number(process.env.BENCH_SEED_DOCUMENTS ?? '0');
  const charsPerDocument = Number(process.env.BENCH_SEED_CHARS ?? '3000');
  const { chunks } = await seedCorpus(app, { tenantId, documents, charsPerDocument });
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  const inspector = new Session();
  inspector.connect();
  return {
    ready: { url: server.url, documents, chunks },
    async stop() {
      inspector.disconnect();
      await server.stop();
    },
    handlers: {
      metrics: () => app.metrics.registry.getMetricsAsJSON(),
      /** The HTTP timings recorded since the last call (the call resets them). */
      httpTimings: () => takeTimings(),
      breakers: (args) =>
        (args as TargetRef[]).map((target) => ({
          target: `${target.provider}:${target.model}`,
          state: CircuitState[app.gateway.guardFor(target).circuit.state],
        })),
      async profileStart() {
        await inspector.post('Profiler.enable');
        await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
        await inspector.post('Profiler.start');
        return null;
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
