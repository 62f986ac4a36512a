// Outside review (streams, as an attacker meets them): a graphql-ws client that stops reading held server
// memory and provider calls.
// 1. Replies the client does not read were queued without bound: each `ping` is answered with a `pong` echoing
//    its payload, so a client sending 1 MB pings while never reading (and answering the keepalive) had 2 GB
//    queued in 20 s. Now a connection whose unread replies pass 4 × MAX_REQUEST_BYTES is cut.
// 2. At its token's expiry a socket is closed with 4401, but `ws` waits 30 s for a peer that does not read to
//    answer the close, and the streams on it (their billed provider calls) ran on that long. Now it is cut a
//    second after the close frame.
import WebSocket from 'ws';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { signRaw, validClaims } from '../support/tokens';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const CHAT = '/v1/chat/completions';
const TENANT = 'unread-socket-co';
const MAX_REQUEST_BYTES = 1_000_000;
const ASK_STREAM = `subscription { askStream(input: { question: "How are quokka crates weighed?" }) { __typename } }`;

/** A raw graphql-ws socket past connection_init (acknowledged) with `token`. */
async function openAcknowledged(url: string, token: string): Promise<WebSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const acknowledged = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await acknowledged;
  return socket;
}

/** Stops reading what the server sends (the kernel's buffers fill, then the server's). */
const stopReading = (socket: WebSocket) =>
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
const startReading = (socket: WebSocket) =>
  (socket as unknown as { _socket: { resume(): void } })._socket.resume();

describe('a graphql-ws client that stops reading', () => {
  let harness: Harness;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    harness = await startHarness({
      providers: ['openai'],
      // No leeway: the token stops verifying at `exp` exactly.
      env: {
        AUTH_CLOCK_TOLERANCE_SECONDS: '0',
        DEADLINE_MS: '60000',
        ATTEMPT_TIMEOUT_MS: '60000',
        MAX_REQUEST_BYTES: String(MAX_REQUEST_BYTES),
      },
    });
    await harness.as(TENANT).ingest({
      id: 'ledger',
      title: 'Harbour ledger',
      body: 'Every quokka crate is weighed twice before the marmalade leaves the harbour warehouse.',
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await harness?.stop();
  });

  it('is cut once its unread replies pass the bound (a client that never reads grew server memory without limit)', async () => {
    const socket = await openAcknowledged(harness.wsUrl, await harness.token(TENANT));
    sockets.push(socket);
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    stopReading(socket);
    // Answers the server's keepalive pings, as such a client would, so only the bound can end the connection.
    const keepalive = setInterval(() => socket.pong(), 500);
    try {
      const ping = JSON.stringify({ type: 'ping', payload: { blob: 'x'.repeat(MAX_REQUEST_BYTES - 100) } });
      // 40 MB of pings: 10 times the bound (4 MB here), past what the kernel's buffers hold on loopback.
      for (let i = 0; i < 40 && socket.readyState === socket.OPEN; i++) {
        socket.send(ping);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Reading again: the pongs the kernel held arrive, then the end of a connection the server cut. Left
      // open (the old code), the connection drains and stays open.
      startReading(socket);
      await waitFor(() => (closed ? true : undefined), 10_000, 'the connection cut');
    } finally {
      clearInterval(keepalive);
    }
  });

  it('is cut a second after the 4401 close at its token’s expiry, aborting its stream (not 30 s later)', async () => {
    harness.providers.openai.faults.always({ kind: 'stream-hold', afterChunks: 1 });
    try {
      const exp = Math.floor(Date.now() / 1000) + 3;
      const token = await signRaw({ ...validClaims(TENANT), exp });
      const socket = await openAcknowledged(harness.wsUrl, token);
      sockets.push(socket);
      socket.on('error', () => undefined);
      const firstResult = new Promise((resolve) => socket.once('message', resolve));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: ASK_STREAM } }));
      await firstResult;
      // The stream has started and the provider holds it open; the client now reads nothing, the close frame
      // at expiry included.
      stopReading(socket);
      const request = await waitFor(
        () => harness.providers.openai.requests.find((recorded) => recorded.path === CHAT),
        5_000,
        'the provider call',
      );
      await waitFor(() => request.closedAt, exp * 1000 + 5_000 - Date.now(), 'the provider call ended');
      expect(request.aborted).toBe(true);
      expect(request.closedAt).toBeGreaterThanOrEqual(exp * 1000);
    } finally {
      harness.providers.openai.faults.clear();
    }
  });
});
