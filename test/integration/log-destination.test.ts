// The log destination writes lines in blocks, off the event loop (subgraph/observability/log-destination.ts):
// a process that logs and then exits, by a graceful stop, a bare process.exit or an uncaught exception, still
// has every line on its stdout, whole and in order, the last block included.
import { flushLogs, logDestination } from '../../subgraph/observability/log-destination';
import { createLogger } from '../../subgraph/observability/logger';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { join } from 'node:path';
import { runTsxScript } from '../support/spawn-subgraph';
import { waitUntil } from '../support/wait-for';

const LINES = 2_000;

function parsed(stdout: string): { n: number; msg: string; level: number }[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { n: number; msg: string; level: number });
}

describe.each(['flush', 'exit', 'fatal'] as const)('a process that logs and then exits (%s)', (mode) => {
  it('leaves every line on its stdout, in order', async () => {
    const run = await runTsxScript('test/support/log-then-exit.ts', [mode, String(LINES)], {});
    expect(run.code).toBe(mode === 'fatal' ? 1 : 0);
    const lines = parsed(run.stdout);
    expect(lines.map((line) => line.n)).toEqual(Array.from({ length: LINES + 1 }, (_, i) => i));
    expect(lines.at(-1)?.msg).toBe(mode === 'fatal' ? 'uncaught exception; exiting' : 'stopped');
  }, 30_000);
});

describe('a file destination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('before writeInBlocks (a start), writes each line as it comes', async () => {
    const file = join(dir, 'start.log');
    const logger = createLogger('info', logDestination(file));
    logger.info({ n: 1 }, 'subgraph listening');
    await waitUntil(() => existsSync(file) && readFileSync(file, 'utf8').includes('subgraph listening'), 200);
  });

  it('writes a line shorter than a block within a second on a quiet logger, and the rest on a flush', async () => {
    const file = join(dir, 'quiet.log');
    const logger = createLogger('info', logDestination(file, { blocks: true }));
    logger.info({ n: 1 }, 'one line');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(parsed(readFileSync(file, 'utf8')).map((line) => line.msg)).toEqual(['one line']);
    logger.info({ n: 2 }, 'another');
    await flushLogs(logger);
    expect(parsed(readFileSync(file, 'utf8')).map((line) => line.n)).toEqual([1, 2]);
  });

  // CI found this one flaky: a flush asked while the periodic flush's write was on its way resolved when that
  // write ended, with the line logged meanwhile still held. Here a block's own write is on its way instead.
  it('writes on a flush the lines gathered while a write was on its way', async () => {
    const file = join(dir, 'busy.log');
    const destination = logDestination(file, { blocks: true });
    const logger = createLogger('info', destination);
    const writing = () => (destination as unknown as { _writing: boolean })._writing;
    // The file is opened first (sonic-boom counts that as writing).
    await once(destination, 'ready');
    // Lines until they fill a block: its write starts then, and is on its way (fs.write) when the next comes.
    let n = 0;
    while (!writing()) logger.info({ n: (n += 1), filler: 'x'.repeat(200) }, 'block line');
    logger.info({ n: (n += 1) }, 'after the block');
    await flushLogs(logger);
    expect(parsed(readFileSync(file, 'utf8')).map((line) => line.n)).toEqual(
      Array.from({ length: n }, (_, i) => i + 1),
    );
  });
});
