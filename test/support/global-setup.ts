// jest's global setup: probes PostgreSQL and Redis once, before any suite, and leaves the answers in the
// environment, where requirePostgres()/requireRedis() read them (suites and jest's workers inherit it).
import { missingServiceMessage, probeService, probeVariable } from './services';
import type { ServiceName } from './services';

const NAMES: ServiceName[] = ['postgres', 'redis'];

export default async function globalSetup(): Promise<void> {
  const reasons = await Promise.all(NAMES.map((name) => probeService(name)));
  NAMES.forEach((name, index) => {
    const reason = reasons[index] ?? null;
    process.env[probeVariable(name)] = reason ?? '';
    // One line up front, so the cause is read before the failures it explains.
    if (reason !== null) process.stderr.write(`\n${missingServiceMessage(name, reason)}; the suites that need it fail.\n`);
  });
}
