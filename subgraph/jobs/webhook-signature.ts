// The signature of a job webhook, in the style of Stripe's: `X-AI-Signature: t=<unix seconds>,v1=<hex>`, where
// v1 is HMAC-SHA256 keyed by the tenant's webhook secret over `<t>.<raw body>`. Signing the timestamp with the
// body lets a receiver refuse a replayed request (one older than its tolerance) without keeping state; the
// delivery id header lets it drop a retry it already processed. Receivers import verifyWebhookSignature.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-AI-Signature';
/** The same on every attempt of one notification: a receiver's idempotency key. */
export const DELIVERY_ID_HEADER = 'X-AI-Webhook-Id';
export const EVENT_HEADER = 'X-AI-Webhook-Event';

/** Five minutes, Stripe's default: wide enough for clock skew, narrow enough to make a replay useless. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The hex HMAC-SHA256 of `${timestamp}.${body}`. */
export function computeSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${computeSignature(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { readonly valid: true; readonly timestamp: number }
  | { readonly valid: false; readonly reason: 'malformed' | 'expired' | 'mismatch' };

/**
 * Whether `header` signs `body` (the raw bytes received, before any JSON parsing) with `secret`, at a time
 * within `toleranceSeconds` of `nowMs` either way. Several `v1=` entries are accepted (one matching is
 * enough), so a sender may sign with an old and a new secret while a rotation is under way. The comparison
 * takes the same time wherever the digests differ.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: string | Uint8Array,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
  nowMs: number = Date.now(),
): SignatureCheck {
  const parsed = header === undefined ? undefined : parseHeader(header);
  if (!parsed) return { valid: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - parsed.timestamp) > toleranceSeconds)
    return { valid: false, reason: 'expired' };
  const expected = Buffer.from(computeSignature(secret, parsed.timestamp, body), 'hex');
  const matches = parsed.signatures.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { valid: true, timestamp: parsed.timestamp } : { valid: false, reason: 'mismatch' };
}

/** `t=…,v1=…[,v1=…]`; unknown schemes (a future v2) are skipped, as Stripe's receivers do. */
function parseHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}
