// What every provider SDK client is built with: the gateway owns retries and deadlines, so the SDK must
// neither retry on its own nor hold a long timeout of its own (the attempt's AbortSignal ends a call); and its
// calls go through providerFetch (undici's request()) rather than Node's fetch, for less work per call.
import { providerFetch } from './provider-fetch';

export const SDK_CLIENT_OPTIONS = { maxRetries: 0, timeout: 120_000, fetch: providerFetch } as const;
