// SDK and transport failures translated into one typed ProviderError at the adapter: nothing past the
// adapters inspects an SDK's error classes.
import { ProviderError } from '../../errors/provider-error';

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
