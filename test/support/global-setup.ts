// jest's global setup: probes PostgreSQL and Redis once, before any suite, and leaves the answers in the
// environment, where requirePostgres()/requireRedis() read them (suites and jest's workers inherit it). It prints
// nothing: only a suite that needs a missing service says so, so `npm run test:unit` stays quiet without them.
// It also names the run's log capture file (log-capture.ts), which global-teardown.ts checks at the end, and makes
// the run's PGlite template (pglite-template.ts), which global-teardown.ts removes.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_CAPTURE_VARIABLE } from './log-capture';
import { makePgliteTemplate, PGLITE_TEMPLATE_VARIABLE } from './pglite-template';
import { probeService, probeVariable } from './services';
import type { ServiceName } from './services';

const NAMES: ServiceName[] = ['postgres', 'redis'];

export default async function globalSetup(): Promise<void> {
  const template = join(tmpdir(), `ai-subgraph-test-pglite-${process.pid}-${Date.now()}.tar`);
  const [reasons] = await Promise.all([
    Promise.all(NAMES.map((name) => probeService(name))),
    makePgliteTemplate(template),
  ]);
  process.env[PGLITE_TEMPLATE_VARIABLE] = template;
  NAMES.forEach((name, index) => {
    process.env[probeVariable(name)] = reasons[index] ?? '';
  });
  const capture = join(tmpdir(), `ai-subgraph-test-logs-${process.pid}-${Date.now()}.ndjson`);
  writeFileSync(capture, '');
  process.env[LOG_CAPTURE_VARIABLE] = capture;
}
