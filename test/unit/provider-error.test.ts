// ProviderError: how provider responses become typed failures: the wait a provider asks for, the kind of
// failure per HTTP status, and which kinds are retried and which count against the circuit breaker.
import { ProviderError } from '../../subgraph/errors/provider-error';
import {
  fromHttpStatus,
  fromTransportError,
  retryAfterMsFrom,
} from '../../subgraph/gateway/providers/provider-error';
import type { FailureKind } from '../../subgraph/errors/provider-error';

describe('retryAfterMsFrom', () => {
  it('reads retry-after-ms as milliseconds', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': '1500' }))).toBe(1500);
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': '0' }))).toBe(0);
  });

  it('prefers retry-after-ms over retry-after', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
  });

  it('reads retry-after as seconds', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMsFrom(new Headers({ 'retry-after': '0.5' }))).toBe(500);
  });

  it('reads retry-after as an HTTP date, measured from now', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const waited = retryAfterMsFrom(new Headers({ 'retry-after': inTenSeconds }));
    // toUTCString drops the milliseconds, so the wait is between 9 and 10 seconds.
    expect(waited).toBeGreaterThan(8_000);
    expect(waited).toBeLessThanOrEqual(10_000);
  });

  it('clamps an HTTP date in the past to no wait', () => {
    const past = new Date(Date.now() - 60_000).toUTCString();
    expect(retryAfterMsFrom(new Headers({ 'retry-after': past }))).toBe(0);
  });

  it('gives null for garbage and missing headers', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after': 'soon, probably' }))).toBeNull();
    expect(retryAfterMsFrom(new Headers({ 'retry-after': '' }))).toBeNull();
    expect(retryAfterMsFrom(new Headers({}))).toBeNull();
    expect(retryAfterMsFrom(undefined)).toBeNull();
    expect(retryAfterMsFrom(null)).toBeNull();
  });

  it('falls back to retry-after when retry-after-ms is garbage', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': 'abc', 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': 'abc' }))).toBeNull();
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': '', 'retry-after': '1' }))).toBe(1000);
  });
});

describe('fromHttpStatus', () => {
  const withRetryAfter = new Headers({ 'retry-after': '7' });

  it.each([
    [429, 'rate-limited'],
    [408, 'timeout'],
    [500, 'server'],
    [502, 'server'],
    [503, 'server'],
    [529, 'server'],
    [400, 'client'],
    [401, 'client'],
    [403, 'client'],
    [404, 'client'],
    [422, 'client'],
  ] as [number, FailureKind][])('maps %i to %s', (status, kind) => {
    const error = fromHttpStatus(status, `answered ${status}`);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.kind).toBe(kind);
    expect(error.status).toBe(status);
    expect(error.message).toBe(`answered ${status}`);
  });

  it('keeps the provider-requested wait on 429, 408 and 5xx, never on other 4xx', () => {
    expect(fromHttpStatus(429, 'm', withRetryAfter).retryAfterMs).toBe(7000);
    expect(fromHttpStatus(408, 'm', withRetryAfter).retryAfterMs).toBe(7000);
    expect(fromHttpStatus(503, 'm', withRetryAfter).retryAfterMs).toBe(7000);
    expect(fromHttpStatus(400, 'm', withRetryAfter).retryAfterMs).toBeNull();
    expect(fromHttpStatus(429, 'm').retryAfterMs).toBeNull();
  });

  it('marks 429, 408 and 5xx retryable and other 4xx not', () => {
    expect(fromHttpStatus(429, 'm').retryable).toBe(true);
    expect(fromHttpStatus(408, 'm').retryable).toBe(true);
    expect(fromHttpStatus(500, 'm').retryable).toBe(true);
    expect(fromHttpStatus(400, 'm').retryable).toBe(false);
    expect(fromHttpStatus(401, 'm').retryable).toBe(false);
  });

  it('counts timeouts and 5xx against the circuit, but not rate limits or client errors', () => {
    expect(fromHttpStatus(408, 'm').countsAgainstCircuit).toBe(true);
    expect(fromHttpStatus(500, 'm').countsAgainstCircuit).toBe(true);
    expect(fromHttpStatus(429, 'm').countsAgainstCircuit).toBe(false);
    expect(fromHttpStatus(404, 'm').countsAgainstCircuit).toBe(false);
  });
});

describe('ProviderError flags per kind', () => {
  it.each([
    // Our own attempt timeout (no status) moves on to the next target instead of retrying the one that hung.
    ['timeout', false, true],
    ['rate-limited', true, false],
    ['server', true, true],
    ['network', true, true],
    ['malformed', true, true],
    ['client', false, false],
    ['circuit-open', false, false],
    // Skipped before any request: the tenant's spend cap, or caps that could not be checked.
    ['budget', false, false],
    ['limits-unavailable', false, false],
    // Our own event loop ran the attempt out: the target is not to blame, and another try would queue too.
    ['overloaded', false, false],
  ] as [FailureKind, boolean, boolean][])(
    '%s: retryable %s, counts against circuit %s',
    (kind, retryable, counts) => {
      const error = new ProviderError(kind, 'x');
      expect(error.retryable).toBe(retryable);
      expect(error.countsAgainstCircuit).toBe(counts);
    },
  );

  it('is recognised by name, also across module copies', () => {
    expect(ProviderError.isInstance(new ProviderError('server', 'x'))).toBe(true);
    const lookalike = Object.assign(new Error('x'), { name: 'ProviderError' });
    expect(ProviderError.isInstance(lookalike)).toBe(true);
    expect(ProviderError.isInstance(new Error('x'))).toBe(false);
    expect(ProviderError.isInstance('ProviderError')).toBe(false);
  });
});

describe('fromTransportError', () => {
  const live = new AbortController().signal;

  it('calls it a timeout when our signal aborted, whatever the error', () => {
    expect(fromTransportError(new Error('socket hang up'), AbortSignal.abort()).kind).toBe('timeout');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(fromTransportError(abort, live).kind).toBe('timeout');
  });

  it('calls unparseable bodies malformed and other failures network', () => {
    expect(fromTransportError(new SyntaxError('Unexpected end of JSON input'), live).kind).toBe('malformed');
    expect(fromTransportError(new Error('ECONNRESET'), live).kind).toBe('network');
    expect(fromTransportError('not even an error', live).kind).toBe('network');
  });

  it('passes a ProviderError through unchanged', () => {
    const original = new ProviderError('rate-limited', 'slow down', 429, 100);
    expect(fromTransportError(original, AbortSignal.abort())).toBe(original);
  });
});
