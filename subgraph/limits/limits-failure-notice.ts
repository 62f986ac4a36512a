// What the rate and spend gates do when their shared limiter (Redis) fails: count every failure in
// ai_limits_unavailable_total, and log at most one line per LOG_EVERY_MS with how many failed since, so a
// Redis outage under load is one warning every few seconds rather than one per request.
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';

const LOG_EVERY_MS = 10_000;

export function limitsFailureNotice(
  deps: { metrics: Metrics; logger: Logger },
  policy: 'closed' | 'open',
  /** The log line under each policy. */
  messages: Readonly<Record<'closed' | 'open', string>>,
): (error: unknown) => void {
  let lastLogAt = -Infinity;
  let unloggedFailures = 0;
  return (error) => {
    deps.metrics.limitsUnavailable.inc({ policy });
    unloggedFailures++;
    const now = Date.now();
    if (now - lastLogAt < LOG_EVERY_MS) return;
    deps.logger.warn({ err: error, policy, failedChecks: unloggedFailures }, messages[policy]);
    lastLogAt = now;
    unloggedFailures = 0;
  };
}
