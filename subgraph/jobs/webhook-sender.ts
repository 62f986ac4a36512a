// One signed POST of a job notification, and what its reply means for a retry: 2xx delivered; 408, 429 and 5xx,
// a network error or no reply within the timeout worth another try; any other status (a 3xx included: a signed
// body is never carried to a host the operator did not name) a refusal that a retry would only repeat.
import { callSignal } from '../gateway/resilience/call-signal';
import type { WebhookTarget } from '../tenancy/jobs-policy';
import { DELIVERY_ID_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { deliveryId, webhookBody, webhookEvent } from './webhook-notification';
import type { JobNotification } from './webhook-notification';

export type SendOutcome =
  | { readonly kind: 'delivered'; readonly status: number }
  | {
      readonly kind: 'retryable';
      readonly reason: 'network' | 'timeout' | 'status';
      readonly status?: number;
      /** The receiver's Retry-After, when it sent one (429, 503). */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'rejected'; readonly status: number };

export interface SendOptions {
  readonly timeoutMs: number;
  /** Unix milliseconds; the signature's timestamp is taken from it at each attempt, so a retry is never stale. */
  readonly now?: () => number;
}

export async function sendSignedNotification(
  target: WebhookTarget,
  notification: JobNotification,
  options: SendOptions,
): Promise<SendOutcome> {
  const body = webhookBody(notification);
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  // Released when the POST has settled: a timeout signal would keep its timer (and what it holds) until it fired.
  const call = callSignal([], options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'ai-subgraph-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(target.secret, timestamp, body),
        [DELIVERY_ID_HEADER]: deliveryId(notification),
        [EVENT_HEADER]: webhookEvent(notification),
      },
      body,
      redirect: 'manual',
      signal: call.signal,
    });
  } catch (error) {
    call.release();
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { kind: 'retryable', reason: timedOut ? 'timeout' : 'network' };
  }
  // The reply's body means nothing to us; dropping it frees the connection.
  await response.body?.cancel().catch(() => undefined);
  call.release();
  return outcomeOf(response);
}

function outcomeOf(response: Response): SendOutcome {
  const status = response.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(response.headers.get('retry-after'));
    return {
      kind: 'retryable',
      reason: 'status',
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { kind: 'rejected', status };
}

/** Retry-After as seconds or an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
