// The logger writes a line with none of the redacted paths without pino's path redaction, and hands every other
// line to a twin that has it (observability/logger.ts): whichever writes a line, the paths are censored as
// before, a child logger's bindings included, the lines keep their order, and a level change reaches both.
import { capturingLogger } from '../support/logs';

const parsedLines = (lines: string[]) => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the redacted paths', () => {
  it('are censored at the top, under any field, and down the named paths; other fields stay as written', () => {
    const { logger, lines } = capturingLogger('info');
    logger.info({ token: 't0p', apiKey: 'k3y', feature: 'summarize' }, 'top level');
    logger.info(
      { provider: { authorization: 'Bearer abc', Authorization: 'Bearer def', model: 'm' } },
      'nested',
    );
    logger.info({ req: { headers: { authorization: 'Bearer x', cookie: 'sid=1', host: 'h' } } }, 'request');
    logger.info({ input: { text: 'tenant words', mode: 'short' }, variables: { q: 'x' } }, 'input');
    logger.info({ outer: { inner: { token: 'deep' } } }, 'deeper than a path reaches');
    expect(parsedLines(lines)).toEqual([
      expect.objectContaining({
        token: '[redacted]',
        apiKey: '[redacted]',
        feature: 'summarize',
        msg: 'top level',
      }),
      expect.objectContaining({
        provider: { authorization: '[redacted]', Authorization: '[redacted]', model: 'm' },
        msg: 'nested',
      }),
      expect.objectContaining({
        req: { headers: { authorization: '[redacted]', cookie: '[redacted]', host: 'h' } },
        msg: 'request',
      }),
      expect.objectContaining({
        input: { text: '[redacted]', mode: 'short' },
        variables: '[redacted]',
        msg: 'input',
      }),
      // As with pino's own paths: `*.token` reaches one level down, no further.
      expect.objectContaining({ outer: { inner: { token: 'deep' } } }),
    ]);
    for (const line of lines) expect(line).not.toMatch(/t0p|k3y|Bearer|sid=1|tenant words/);
  });

  it('lines with and without a path keep the order they were logged in, and both meet the PII redactor', () => {
    const { logger, lines } = capturingLogger('info');
    for (let n = 0; n < 20; n++) {
      if (n % 3 === 0) logger.info({ n, token: 'secret', note: 'mail ana@example.com' }, 'with a path');
      else logger.info({ n, note: 'mail ana@example.com' }, 'mail ana@example.com');
    }
    const parsed = parsedLines(lines);
    expect(parsed.map((line) => line.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    for (const line of parsed) expect(line.note).toBe('mail [EMAIL]');
    expect(parsed.filter((line) => line.msg === 'mail [EMAIL]')).toHaveLength(13);
  });

  it("censors a child logger's bindings and lines, and a level change reaches the lines with a path", () => {
    const { logger, lines } = capturingLogger('info');
    logger.child({ token: 'bound' }).info({ apiKey: 'k' }, 'from a child');
    expect(parsedLines(lines)).toEqual([
      expect.objectContaining({ token: '[redacted]', apiKey: '[redacted]', msg: 'from a child' }),
    ]);
    logger.level = 'warn';
    logger.info({ token: 'x' }, 'not written');
    logger.info('not written either');
    logger.warn({ token: 'y' }, 'written');
    expect(parsedLines(lines).map((line) => line.msg)).toEqual(['from a child', 'written']);
  });

  it('an error, an interpolation or a message alone is written as before', () => {
    const { logger, lines } = capturingLogger('info');
    logger.error(new Error('it broke'));
    logger.info('count %d of %s', 3, 'ana@example.com');
    logger.info('plain message for ana@example.com');
    const parsed = parsedLines(lines);
    expect(parsed[0]).toMatchObject({ err: { type: 'Error', message: 'it broke' }, msg: 'it broke' });
    expect(parsed[1]?.msg).toBe('count 3 of [EMAIL]');
    expect(parsed[2]?.msg).toBe('plain message for [EMAIL]');
  });
});
