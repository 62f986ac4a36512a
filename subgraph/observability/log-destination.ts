// Where the log lines go: stdout (a deployment's pipe to its collector) or a file, written asynchronously in
// blocks. pino's default destination hands each line to its own write(2) on libuv's pool as soon as the last
// one is done: at a few hundred requests a second, a system call and a round trip through the pool per line.
// Once the replica serves (writeInBlocks), lines are gathered until LOG_BLOCK_BYTES (about ten request lines),
// and a quiet replica still writes within LOG_FLUSH_EVERY_MS; the start lines before it go out one by one, as
// they come. Nothing is lost on the way out: the graceful stop and the fatal exit await flushLogs(), and
// whatever exits without it (a bare process.exit) is written synchronously by pino's exit hook, which every
// destination made by pino.destination() registers. Only a SIGKILL can cost the lines of the last block.
import pino from 'pino';
import type { Logger } from 'pino';

/** Bytes gathered before a write: about ten `feature served` lines. */
export const LOG_BLOCK_BYTES = 4096;
/** The longest a line waits in the block when traffic is too light to fill it. */
export const LOG_FLUSH_EVERY_MS = 250;
/** How long a stop waits for the last block to be written before it exits anyway. */
const FLUSH_TIMEOUT_MS = 2000;

/** pino's destination: sonic-boom, which reads `minLength` at every write. */
export type LogDestination = ReturnType<typeof pino.destination>;

/**
 * Asynchronous destination for `dest`, a file descriptor (1 = stdout) or a file path: line by line until
 * writeInBlocks() is called on it, unless `blocks` says to start in blocks.
 */
export function logDestination(dest: number | string = 1, { blocks = false } = {}): LogDestination {
  const destination = pino.destination({ dest, sync: false, periodicFlush: LOG_FLUSH_EVERY_MS });
  if (blocks) writeInBlocks(destination);
  return destination;
}

/**
 * From now on, lines are gathered into blocks of LOG_BLOCK_BYTES (or LOG_FLUSH_EVERY_MS) before a write. Lines
 * still on their way (the last start lines) are written first, as they came: the switch waits for the stream
 * to drain. sonic-boom reads `minLength` at every write and keeps what is not yet written in `_len`.
 */
export function writeInBlocks(destination: LogDestination): void {
  const stream = destination as LogDestination & { minLength: number; _len: number };
  const inBlocks = () => {
    stream.minLength = LOG_BLOCK_BYTES;
  };
  if (stream._len > 0) stream.once('drain', inBlocks);
  else inBlocks();
}

/**
 * Resolves once every line logged so far is handed on (or after FLUSH_TIMEOUT_MS, or at once for a destination
 * that gathers nothing): what a stop awaits before process.exit. Whatever is still buffered then is written
 * synchronously by pino's exit hook.
 *
 * sonic-boom calls a flush's callback at the next 'drain'. When a write was already on its way (the periodic
 * flush's, every LOG_FLUSH_EVERY_MS), that drain comes as soon as that write ends, with the lines gathered
 * meanwhile still held below `minLength`: so the flush is asked again until nothing is held (`_len`, as
 * writeInBlocks reads it).
 */
export function flushLogs(logger: Logger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, { _len?: number } | undefined>)[pino.symbols.streamSym];
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const flush = () => {
      try {
        logger.flush((error) => (!error && (stream?._len ?? 0) > 0 ? flush() : done()));
      } catch {
        // A destroyed stream (its fd closed under it): nothing more can be written; pino's exit hook tries anyway.
        done();
      }
    };
    flush();
  });
}
