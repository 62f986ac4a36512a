// The logger runs every line through the PII redactor (issue 10: the same redactor serves the logs): a value
// in a field or in the message becomes its kind, nested fields included, while the rest of the line stays.
import { Writable } from 'node:stream';
import { createLogger } from '../../subgraph/observability/logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

it('redacts an email, a card and an IP in fields, nested fields and the message', () => {
  const { logger, lines } = capture();
  logger.info(
    {
      requestId: 'r-1',
      user: 'jane.doe@example.com',
      detail: { note: 'card 4111 1111 1111 1111 from 10.2.3.4' },
    },
    'lookup for jane.doe@example.com failed',
  );
  const line = lines.join('');
  expect(line).not.toContain('jane.doe@example.com');
  expect(line).not.toContain('4111 1111 1111 1111');
  expect(line).not.toContain('10.2.3.4');
  const parsed = JSON.parse(line) as {
    requestId: string;
    user: string;
    detail: { note: string };
    msg: string;
  };
  expect(parsed).toMatchObject({
    requestId: 'r-1',
    user: '[EMAIL]',
    detail: { note: 'card [CARD] from [IP]' },
    msg: 'lookup for [EMAIL] failed',
  });
});

it('leaves a line without PII as it was', () => {
  const { logger, lines } = capture();
  logger.info({ requestId: 'r-2', chunks: 3 }, 'document ingested');
  expect(JSON.parse(lines.join(''))).toMatchObject({ requestId: 'r-2', chunks: 3, msg: 'document ingested' });
});

it('leaves the fields the service writes for its operator as written: where it listens, the development token', () => {
  const { logger, lines } = capture();
  logger.info({ url: 'http://127.0.0.1:4000/graphql', address: '127.0.0.1' }, 'subgraph listening');
  expect(JSON.parse(lines.join(''))).toMatchObject({
    url: 'http://127.0.0.1:4000/graphql',
    address: '127.0.0.1',
  });
});
