// Liveness and readiness probes for the orchestrator. /healthz answers while the process runs; /readyz says
// whether this replica should get traffic: 503 once it is stopping (so the load balancer drains it first) or
// while any dependency fails its ping, naming each dependency's state so an operator sees which one.
import type { RequestHandler } from 'express';

/** A dependency's cheap round trip; it rejects when the dependency cannot serve. */
export type Ping = () => Promise<void>;

export function livenessProbe(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'ok' });
  };
}

export function readinessProbe(options: {
  isStopping: () => boolean;
  pings: Record<string, Ping>;
}): RequestHandler {
  const pings = Object.entries(options.pings);
  return async (_req, res) => {
    if (options.isStopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const checks = await Promise.allSettled(pings.map(([, ping]) => ping()));
    const states = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'down'));
    const ready = states.every((state) => state === 'ok');
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      ...Object.fromEntries(pings.map(([name], i) => [name, states[i]])),
    });
  };
}
