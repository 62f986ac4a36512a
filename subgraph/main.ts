// Entry point: read config (fail fast, one line), build the app, listen, and on SIGTERM/SIGINT leave the load
// balancer's rotation, then drain cleanly.
import { ConfigError } from './errors/config-error';
import { loadConfig } from './config';
import type { Config } from './config';
import { createApp } from './app';
import { activeSetup, describeSetup } from './observability/active-setup';
import { announceDevelopmentMode } from './auth/development-mode';
import { flushLogs, logDestination, writeInBlocks } from './observability/log-destination';
import { createLogger } from './observability/logger';
import { startTracing } from './observability/tracing/start-tracing';
import { startServer } from './server';
import { warnOfUnpricedTargets } from './gateway/unpriced-targets';

/** What the log lines need of the grace once the spans are flushed (flushLogs waits at most 2 s more). */
const LOG_FLUSH_RESERVE_MS = 250;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`config error: ${error.message}\n`);
    process.exit(1);
  }
  // Lines are written in blocks off the event loop once the replica serves (log-destination.ts): every exit
  // below flushes them first.
  const destination = logDestination(1);
  const logger = createLogger(config.logging.level, destination);
  const exit = (code: number) => void flushLogs(logger).then(() => process.exit(code));
  // Node's own report of a stray rejection or exception prints the error with every field (a driver error's
  // query and params: tenant text) to stderr; through the logger only its safe fields are written. A lost
  // promise leaves no state half-changed, so the replica keeps serving; an uncaught exception may have, so
  // it exits and the orchestrator restarts it.
  process.on('unhandledRejection', (reason: unknown) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (error: Error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    exit(1);
  });
  // Before anything serves: every request's spans, exported or not, continue the caller's trace.
  const tracing = startTracing(config.tracing);
  const app = await createApp(config, logger);
  const server = await startServer(app, { port: config.server.port, host: config.server.host });
  logger.info(
    {
      store: config.store.databaseUrl ? 'postgres' : 'pglite',
      state: app.state.kind,
      migrations: app.store.migrationsApplied,
      traces: tracing.exporting,
    },
    'subgraph ready',
  );
  const setup = activeSetup(config, app.state.kind);
  logger.info(setup, describeSetup(setup));
  warnOfUnpricedTargets(config.gateway.unpricedTargets, logger);
  await announceDevelopmentMode(config, logger);
  writeInBlocks(destination);

  // serving -> withdrawn (SHUTDOWN_DRAIN_DELAY_MS: /readyz says `stopping`, everything else is served, so the
  // load balancer stops routing here while the listener is still open) -> draining.
  let phase: 'serving' | 'withdrawn' | 'draining' = 'serving';
  let drainDelay: NodeJS.Timeout | undefined;
  const drain = (signal: string) => {
    if (phase === 'draining') return;
    phase = 'draining';
    clearTimeout(drainDelay);
    logger.info({ signal }, 'draining');
    // One budget, SHUTDOWN_GRACE_MS from now (the delay before it is not part of it): server.stop() drains HTTP
    // and the job runs side by side within their shares of it (app.ts, shutdownBudget), then closes the stores;
    // the span flush gets what is left.
    const exitBy = Date.now() + config.server.shutdownGraceMs;
    const force = setTimeout(() => {
      logger.error({ inFlight: server.inFlight() }, 'drain exceeded SHUTDOWN_GRACE_MS; exiting');
      exit(1);
    }, config.server.shutdownGraceMs);
    force.unref();
    server.stop().then(
      async ({ cut }) => {
        // Counts only: which tenant or operation a cut request was is not the log's to say.
        if (cut.requests > 0 || cut.sockets > 0) {
          logger.warn(
            { requests: cut.requests, sockets: cut.sockets, shutdownGraceMs: config.server.shutdownGraceMs },
            'SHUTDOWN_GRACE_MS ended with requests in flight; cut them',
          );
        }
        // The spans still batched go out before the exit; a collector that is away or slow costs them, not the
        // exit: the flush has what is left of the grace.
        const flushMs = Math.max(0, exitBy - Date.now() - LOG_FLUSH_RESERVE_MS);
        let timer: NodeJS.Timeout | undefined;
        const cutShort = new Promise<'cut short'>(
          (resolve) => (timer = setTimeout(resolve, flushMs, 'cut short')),
        );
        const flushed = await Promise.race([
          tracing.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'trace flush failed')),
          cutShort,
        ]);
        clearTimeout(timer);
        if (flushed === 'cut short') logger.warn({ flushMs }, 'trace flush cut short by SHUTDOWN_GRACE_MS');
        logger.info('stopped');
        // 1 tells the orchestrator (and whoever reads its events) that requests were lost, not drained.
        exit(cut.requests > 0 || cut.sockets > 0 ? 1 : 0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        exit(1);
      },
    );
  };
  const shutdown = (signal: string) => {
    // A second signal during the delay (an operator's Ctrl-C, a `kill` repeated) wants the process gone now.
    if (phase !== 'serving' || config.server.shutdownDrainDelayMs === 0) {
      drain(signal);
      return;
    }
    phase = 'withdrawn';
    server.withdraw();
    logger.info(
      { signal, drainDelayMs: config.server.shutdownDrainDelayMs },
      'stopping; draining after the delay',
    );
    drainDelay = setTimeout(drain, config.server.shutdownDrainDelayMs, signal);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
