// Liveness and readiness probes for the orchestrator. /healthz answers while the process runs; /readyz says
// whether this replica should get traffic: 503 once it is stopping (so the load balancer drains it first) or
// while a dependency it cannot serve without fails its ping; a dependency its features degrade without (Redis:
// a cache miss, the limits' failure policy, uncounted stream leases) makes it `degraded`, still 200, since taking
// every replica out at once during a Redis failover would turn typed fallbacks into fetch errors at the router.
// Each dependency's state is named so an operator sees which one. A ping gets PROBE_PING_TIMEOUT_MS to answer:
// a probe that hangs (a saturated pool queueing the ping behind every request) is read by the orchestrator as
// its own timeout, with no dependency named, where a prompt 503 says which one.
import type { RequestHandler } from 'express';
import { within } from '../gateway/resilience/within';

/** Shorter than the usual probe timeout (Kubernetes' default is 1 s), so the probe answers before it. */
export const PROBE_PING_TIMEOUT_MS = 800;

/** A dependency's cheap round trip; it rejects when the dependency cannot serve. */
export type Ping = () => Promise<void>;

export function livenessProbe(): RequestHandler {
  return (_req, res) => {
    res.json({ status: 'ok' });
  };
}

/** The ping, failed when it has not answered within `timeoutMs`. */
async function pingWithin(ping: Ping, timeoutMs: number): Promise<void> {
  const answered = await within(
    ping().then(() => true),
    timeoutMs,
  );
  if (answered === null) throw new Error(`no answer within ${timeoutMs} ms`);
}

export function readinessProbe(options: {
  isStopping: () => boolean;
  /** How long each ping may take before it counts as down (default PROBE_PING_TIMEOUT_MS). */
  pingTimeoutMs?: number;
  /** Dependencies without which the replica cannot serve: one down makes it not ready. */
  pings: Record<string, Ping>;
  /** Dependencies its features degrade without: one down makes it `degraded`, still ready. */
  degradable?: Record<string, Ping>;
}): RequestHandler {
  const required = Object.entries(options.pings);
  const degradable = Object.entries(options.degradable ?? {});
  const all = [...required, ...degradable];
  return async (_req, res) => {
    if (options.isStopping()) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    const timeoutMs = options.pingTimeoutMs ?? PROBE_PING_TIMEOUT_MS;
    const checks = await Promise.allSettled(all.map(([, ping]) => pingWithin(ping, timeoutMs)));
    const states = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'down'));
    const ready = states.slice(0, required.length).every((state) => state === 'ok');
    const whole = states.every((state) => state === 'ok');
    res.status(ready ? 200 : 503).json({
      status: ready ? (whole ? 'ready' : 'degraded') : 'not ready',
      ...Object.fromEntries(all.map(([name], i) => [name, states[i]])),
    });
  };
}
