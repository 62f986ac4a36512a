// The job webhook signature a receiver checks: HMAC-SHA256 over `<t>.<raw body>` (a vector computed with
// openssl), accepted within the tolerance either way, several v1 entries for a secret rotation, and every
// malformed, stale or wrong header refused with its reason.
import {
  computeSignature,
  signatureHeader,
  verifyWebhookSignature,
} from '../../subgraph/jobs/webhook-signature';

const SECRET = 'whsec-known-vector-0001';
const BODY = '{"id":"job-1","status":"COMPLETED"}';
const T = 1_733_475_600;
const AT_T = T * 1000;
// printf '%s' '1733475600.{"id":"job-1","status":"COMPLETED"}' | openssl dgst -sha256 -hmac 'whsec-known-vector-0001'
const VECTOR = 'c6739fdf34604c54eb2a1c74fd5debff4e3d36ffb208077156f0aff3972b3f21';

describe('job webhook signatures', () => {
  it('is HMAC-SHA256 of `<timestamp>.<body>` in hex, in a `t=…,v1=…` header', () => {
    expect(computeSignature(SECRET, T, BODY)).toBe(VECTOR);
    expect(computeSignature(SECRET, T, Buffer.from(BODY))).toBe(VECTOR);
    expect(signatureHeader(SECRET, T, BODY)).toBe(`t=${T},v1=${VECTOR}`);
  });

  it('verifies a header within the tolerance, on either side of the receiver clock', () => {
    const header = `t=${T},v1=${VECTOR}`;
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT_T)).toEqual({ valid: true, timestamp: T });
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(BODY), 300, AT_T + 300_000).valid).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT_T - 300_000).valid).toBe(true);
  });

  it('refuses a timestamp outside the tolerance, old (a replay) or ahead', () => {
    const header = `t=${T},v1=${VECTOR}`;
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT_T + 301_000)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT_T - 301_000)).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verifyWebhookSignature(SECRET, header, BODY, undefined, AT_T + 3_600_000).valid).toBe(false);
  });

  it('refuses another secret, another body, or a timestamp the signature was not made with', () => {
    expect(verifyWebhookSignature('whsec-known-vector-0002', `t=${T},v1=${VECTOR}`, BODY, 300, AT_T)).toEqual(
      {
        valid: false,
        reason: 'mismatch',
      },
    );
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${VECTOR}`, BODY.replace('1', '2'), 300, AT_T)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(SECRET, `t=${T + 1},v1=${VECTOR}`, BODY, 300, AT_T)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('accepts any one matching v1 entry, so the sender can sign with an old and a new secret', () => {
    const other = computeSignature('whsec-old-secret-000000', T, BODY);
    expect(verifyWebhookSignature(SECRET, `t=${T},v1=${other},v1=${VECTOR}`, BODY, 300, AT_T).valid).toBe(
      true,
    );
    expect(verifyWebhookSignature(SECRET, `t=${T}, v0=${VECTOR}, v1=${other}`, BODY, 300, AT_T)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['no timestamp', `v1=${VECTOR}`],
    ['no v1', `t=${T}`],
    ['a timestamp that is not a number', `t=soon,v1=${VECTOR}`],
    ['a signature that is not 64 hex digits', `t=${T},v1=${VECTOR.slice(0, 63)}`],
    ['another scheme only', `t=${T},v0=${VECTOR}`],
  ])('refuses %s as malformed', (_what, header) => {
    expect(verifyWebhookSignature(SECRET, header, BODY, 300, AT_T)).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });
});
