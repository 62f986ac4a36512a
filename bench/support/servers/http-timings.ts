// Times every response inside Node, from the parsed request head to the last byte handed to the socket, by
// wrapping http.createServer before the subgraph's startServer calls it. Set against the client's latency, it
// tells queueing in front of Node (kernel, accept, the parser waiting for the event loop) from time in it.
import http from 'node:http';

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

const durations: number[] = [];
const firstRequestWaits: number[] = [];
let connections = 0;
const acceptedAt = new WeakMap<object, number>();

/** Installs the wrapper; every HTTP server created afterwards in this process is timed. */
export function timeHttpServers(): void {
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
}

/** The timings recorded since the last call; the call resets them. */
export function takeHttpTimings(): HttpTimings {
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
