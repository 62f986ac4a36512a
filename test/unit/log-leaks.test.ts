// The suite's log check (test/support/log-leaks.ts, run by jest's global teardown) can fail: fed a line
// holding a bearer token, a JWT, an API key or a value the PII redactor would change, it names the line; the
// lines the subgraph really writes pass it, request ids, trace ids and timestamps included.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../subgraph/observability/logger';
import { checkCapturedLogs, findLeaks, leaksOf } from '../support/log-leaks';
import { HARNESS_API_KEYS } from '../support/provider-keys';

const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJ0ZW5hbnQiOiJhY21lIn0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g';

/** Lines as the subgraph's own logger writes them. */
function loggedLines(log: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString().trim());
      done();
    },
  });
  log(createLogger('info', destination));
  return lines;
}

test.each([
  ['a bearer token', `{"level":30,"msg":"calling with Bearer ${JWT.slice(0, 24)}"}`],
  ['a JWT', `{"level":30,"token2":"${JWT}","msg":"x"}`],
  ['an API key', `{"level":30,"note":"key ${HARNESS_API_KEYS.openai}","msg":"x"}`],
  ['an API key', '{"level":30,"msg":"sk-proj-abcdefghijklmnop1234 rejected"}'],
  ['a value the PII redactor changes (EMAIL)', '{"level":30,"user":"jane.doe@example.com","msg":"x"}'],
  ['a value the PII redactor changes (CARD)', '{"level":30,"amount":4111111111111111,"msg":"x"}'],
  ['a value the PII redactor changes (IP)', '{"level":30,"client":"10.2.3.4","msg":"x"}'],
  ['a value the PII redactor changes (EMAIL)', 'not JSON: mail jane.doe@example.com'],
])('finds %s', (what, line) => {
  expect(leaksOf(line)).toContain(what);
});

it('passes the lines the logger writes: ids, trace ids, times, costs, the listening address', () => {
  const lines = loggedLines((logger) => {
    logger.info({ url: 'http://127.0.0.1:4001/graphql', address: '127.0.0.1' }, 'subgraph listening');
    logger.info(
      {
        requestId: '273d8656-33a0-458a-bcbe-e1a2e980d811',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        tenant: 'acme-1',
        feature: 'ask',
        latencyMs: 1234,
        stagesMs: { 'retrieval.lexical': 1.3, 'model.answer': 212.4 },
        tokens: { input: 269, output: 37 },
        costUsd: 0.0001668,
      },
      'feature served',
    );
    // The logger's own redaction: what a leak would look like once the logger has done its work.
    logger.info({ user: 'jane.doe@example.com', authorization: `Bearer ${JWT}` }, 'lookup failed');
  });
  expect(lines).toHaveLength(3);
  expect(findLeaks(lines.join('\n'))).toEqual([]);
});

it('leaves out the development token a development start prints on purpose, and nothing else of its line', () => {
  const line = JSON.stringify({ level: 30, developmentToken: JWT, msg: 'development mode' });
  expect(leaksOf(line)).toEqual([]);
  expect(leaksOf(JSON.stringify({ level: 30, developmentToken: JWT, note: JWT }))).toContain('a JWT');
});

it('fails the run with the offending line and its number, and passes a clean capture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'log-leaks-'));
  try {
    const file = join(dir, 'capture.ndjson');
    const bad = '{"level":30,"user":"jane.doe@example.com","msg":"x"}';
    writeFileSync(file, `{"level":30,"msg":"fine"}\n${bad}\n`);
    expect(() => checkCapturedLogs(file)).toThrow(
      `line 2 holds a value the PII redactor changes (EMAIL): ${bad}`,
    );
    writeFileSync(file, '{"level":30,"msg":"fine"}\n{"level":30,"msg":"also fine"}\n');
    expect(checkCapturedLogs(file)).toBe(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
