// A graphql-ws connection lives no longer than the token it was opened with: it is authenticated once, in
// connection_init, so at the token's expiry the server closes it with 4401, ending the streams on it (their
// provider calls aborted), and nothing sent after that runs, a mutation included. The outside test found a
// socket still serving askStream and deleteDocument 5 s after `exp`.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { DELETE } from '../support/operations';
import { signRaw, validClaims } from '../support/tokens';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection } from '../support/ws-client';
import { waitFor } from '../support/wait-for';

const CHAT = '/v1/chat/completions';
const TENANT = 'expiring-token-co';
const ASK_STREAM = `subscription { askStream(input: { question: "How are quokka crates weighed?" }) { __typename } }`;
const DOCUMENT = (id: string) => ({
  id,
  title: 'Harbour ledger',
  body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
});

/** The promise's value, or `fallback` when it takes longer than `ms`; the timer goes either way. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), Math.max(0, ms)))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a graphql-ws connection and its token', () => {
  let harness: Harness;
  let connection: WsConnection | undefined;

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      // No leeway: the token stops verifying at `exp` exactly, over HTTP and graphql-ws alike.
      env: { AUTH_CLOCK_TOLERANCE_SECONDS: '0', DEADLINE_MS: '30000', ATTEMPT_TIMEOUT_MS: '30000' },
    });
    const tenant = harness.as(TENANT);
    await tenant.ingest(DOCUMENT('keep'));
    await tenant.ingest(DOCUMENT('scratch'));
  });
  afterAll(async () => {
    await connection?.dispose();
    await harness?.stop();
  });

  it('closes the socket with 4401 at exp, ends its stream, and runs no deleteDocument sent after (a WebSocket connection outlived its token)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3;
    const token = await signRaw({ ...validClaims(TENANT), exp });
    connection = openWsConnection(harness.wsUrl, { authorization: `Bearer ${token}` });

    // Before exp the socket serves as usual: a mutation, and a stream that stays open on a silent provider.
    expect(await connection.run(DELETE, { id: 'scratch' })).toEqual({
      kind: 'results',
      results: [{ data: { deleteDocument: true } }],
    });
    harness.providers.openai.faults.always({ kind: 'hang' });
    const stream = connection.start(ASK_STREAM);
    const request = await waitFor(
      () => harness.providers.openai.requests.find((recorded) => recorded.path === CHAT),
      5_000,
    );

    const closed = await within(
      connection.closed,
      exp * 1000 + 5_000 - Date.now(),
      'still open 5 s after exp',
    );
    expect(closed).toEqual({ kind: 'closed', code: 4401, reason: 'Unauthorized' });
    // Not before the token's expiry (the timer is not early), and soon after it.
    const closedAt = Date.now();
    expect(closedAt).toBeGreaterThanOrEqual(exp * 1000);
    expect(closedAt).toBeLessThan(exp * 1000 + 2_000);
    // The stream on it ended, and its provider call was aborted rather than left to run.
    expect(await stream.ended).toMatchObject({ kind: 'closed', code: 4401 });
    await waitFor(() => request.closedAt, 2_000);
    expect(request.aborted).toBe(true);

    // A mutation sent on the same client after exp runs nowhere: the document it names is still there.
    const late = await within(connection.run(DELETE, { id: 'keep' }), 5_000, null);
    expect(late).not.toEqual({ kind: 'results', results: [{ data: { deleteDocument: true } }] });
    expect(await harness.as(TENANT).deleteDocument('keep')).toBe(true);
  });

  it('refuses a new connection with a token already past exp (no leeway configured)', async () => {
    const token = await signRaw({ ...validClaims(TENANT), exp: Math.floor(Date.now() / 1000) - 1 });
    const refused = openWsConnection(harness.wsUrl, { authorization: `Bearer ${token}` });
    try {
      expect(await refused.closed).toEqual({ kind: 'closed', code: 4401, reason: 'Unauthorized' });
    } finally {
      await refused.dispose();
    }
  });
});
