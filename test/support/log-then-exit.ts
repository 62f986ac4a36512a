// A process that logs through the subgraph's own logger and destination (stdout, written in blocks) and then
// exits the way named by its argument, for the test that no line is lost on the way out:
//   flush  awaits flushLogs(), then process.exit(0), as main.ts's graceful stop and fatal exit do;
//   exit   calls process.exit(0) at once: pino's exit hook writes what is still buffered;
//   fatal  throws; the uncaughtException handler logs it and exits as main.ts's does.
//   npx tsx test/support/log-then-exit.ts <flush|exit|fatal> <lines>
import { flushLogs, logDestination } from '../../subgraph/observability/log-destination';
import { createLogger } from '../../subgraph/observability/logger';

const [mode = 'flush', count = '1000'] = process.argv.slice(2);
const logger = createLogger('info', logDestination(1, { blocks: true }));
for (let i = 0; i < Number(count); i++) {
  logger.info(
    { n: i, feature: 'summarize', outcome: 'full', tokens: { input: i, output: 1 } },
    'feature served',
  );
}
switch (mode) {
  case 'flush':
    logger.info({ n: Number(count) }, 'stopped');
    void flushLogs(logger).then(() => process.exit(0));
    break;
  case 'exit':
    logger.info({ n: Number(count) }, 'stopped');
    process.exit(0);
    break;
  case 'fatal':
    process.on('uncaughtException', (error: Error) => {
      logger.fatal({ err: error, n: Number(count) }, 'uncaught exception; exiting');
      void flushLogs(logger).then(() => process.exit(1));
    });
    setImmediate(() => {
      throw new Error('boom');
    });
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
