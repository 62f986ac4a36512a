// What every provider SDK client is built with: the gateway owns retries and deadlines, so the SDK must
// neither retry on its own nor hold a long timeout of its own (the attempt's AbortSignal ends a call).
export const SDK_CLIENT_OPTIONS = { maxRetries: 0, timeout: 120_000 } as const;
