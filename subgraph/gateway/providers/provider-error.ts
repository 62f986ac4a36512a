// SDK and transport failures translated into one typed ProviderError at the adapter: nothing past the
// adapters inspects an SDK's error classes. A reply the provider sent (and billed) that we cannot use is a
// BilledFailure: `malformed` like any other, and carrying what the provider billed it, for the ledger.
import { ProviderError } from '../../errors/provider-error';
import { receivedUsage } from '../token-estimate';
import type { TokenUsage } from './model-provider';

/**
 * A completion the provider answered (200) and billed, but that carries no answer we can use: no text, a
 * refusal, a body that would not parse. Retried and counted against the circuit like any malformed reply;
 * `billed` is the usage the provider reported for it (estimated where it reported none), which the attempt
 * adds up across its retries (target-attempts.ts) so that the spend cap and the ledger charge it.
 */
export class BilledFailure extends ProviderError {
  constructor(
    message: string,
    readonly billed: TokenUsage,
  ) {
    super('malformed', message);
  }
}

/** What a failed request was billed: a BilledFailure's usage, else null (the provider answered nothing). */
export function billedBy(error: unknown): TokenUsage | null {
  return error instanceof BilledFailure ? error.billed : null;
}

/**
 * A complete() request's failure as its caller sees it. A `malformed` one that is not a BilledFailure already
 * is a 200 whose body would not parse: the provider answered and billed the prompt at least, and no usage of
 * its own can be read, so the prompt is estimated (receivedUsage, as for a stream cut before its usage).
 */
export function completionFailure(
  failure: ProviderError,
  prompt: { system: string; user: string },
): ProviderError {
  if (failure.kind !== 'malformed' || failure instanceof BilledFailure) return failure;
  return new BilledFailure(failure.message, receivedUsage(prompt, ''));
}

/** Reads `retry-after-ms` (milliseconds) or `retry-after` (seconds or an HTTP date) from response headers. */
export function retryAfterMsFrom(
  headers: { get(name: string): string | null } | undefined | null,
): number | null {
  if (!headers) return null;
  // An empty value is no value: Number('') is 0, which would read as "retry at once".
  const read = (name: string): string | null => headers.get(name)?.trim() || null;
  const msValue = read('retry-after-ms');
  const ms = Number(msValue);
  if (msValue !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = read('retry-after');
  if (value === null) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** The shared part of both SDKs' error shapes (status + headers), translated into a ProviderError. */
export function fromHttpStatus(
  status: number,
  message: string,
  headers?: { get(name: string): string | null },
) {
  const retryAfterMs = retryAfterMsFrom(headers);
  if (status === 429) return new ProviderError('rate-limited', message, status, retryAfterMs);
  if (status === 408) return new ProviderError('timeout', message, status, retryAfterMs);
  if (status >= 500) return new ProviderError('server', message, status, retryAfterMs);
  return new ProviderError('client', message, status, null);
}

/**
 * One SDK error translated: an API error with a status by its status and headers, anything else (aborts,
 * resets, cut streams, bad JSON) by what it says about the transport.
 */
export function fromSdkError(
  error: unknown,
  isApiError: (
    error: unknown,
  ) => error is { status: unknown; headers?: { get(name: string): string | null } },
  provider: string,
  signal: AbortSignal,
): ProviderError {
  return isApiError(error) && typeof error.status === 'number'
    ? fromHttpStatus(error.status, `${provider} answered ${error.status}`, error.headers)
    : fromTransportError(error, signal);
}

/** Errors that are not HTTP statuses: aborts (our timeout), resets, cut streams, unparseable bodies. */
export function fromTransportError(error: unknown, signal: AbortSignal): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (
    signal.aborted ||
    name === 'APIUserAbortError' ||
    name === 'AbortError' ||
    name === 'APIConnectionTimeoutError'
  ) {
    return new ProviderError('timeout', 'provider did not answer in time');
  }
  if (name === 'SyntaxError' || /JSON/i.test(message))
    return new ProviderError('malformed', 'provider sent malformed JSON');
  return new ProviderError('network', `provider connection failed: ${name || 'error'}`);
}
