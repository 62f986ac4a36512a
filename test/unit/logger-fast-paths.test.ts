// The logger's two shortcuts past the PII redactor keep every line as redacted as before: a string found clean
// is remembered (and nothing else is), and only ids of the service's own shape skip the scan.
import { capturingLogger } from '../support/logs';
import { redactForLog } from '../../subgraph/guardrails/pii';

const lastLine = (lines: string[]) => JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;

describe('the logger past the PII redactor', () => {
  it('a request id or trace id of its own shape is kept; one of another shape is scanned like any field', () => {
    const { logger, lines } = capturingLogger('info');
    const requestId = '3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f';
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    logger.info({ requestId, traceId }, 'feature served');
    expect(lastLine(lines)).toMatchObject({ requestId, traceId });
    logger.info({ requestId: 'jane.doe@example.com', traceId: 'call +1 415 555 0100 now' }, 'feature served');
    expect(lastLine(lines)).toMatchObject({ requestId: '[EMAIL]', traceId: 'call [PHONE] now' });
  });

  it('a string remembered as clean does not let a different one through, and a value with PII is never remembered', () => {
    expect(redactForLog('tenant acme')).toBe('tenant acme');
    expect(redactForLog('tenant acme')).toBe('tenant acme');
    expect(redactForLog('tenant jane.doe@example.com')).toBe('tenant [EMAIL]');
    expect(redactForLog('tenant jane.doe@example.com')).toBe('tenant [EMAIL]');
  });

  it('past the memo bound the remembered set is cleared, and redaction is unchanged', () => {
    for (let i = 0; i < 5_000; i++) expect(redactForLog(`stage-${i}`)).toBe(`stage-${i}`);
    expect(redactForLog('card 4111 1111 1111 1111')).toBe('card [CARD]');
  });
});
