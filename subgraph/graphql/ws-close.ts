// Closing a graphql-ws socket so that it ends: the close frame, then the socket cut if the peer has not answered
// within CLOSE_GRACE_MS.
import type { WebSocket } from 'ws';

/**
 * How long a peer has to answer the close frame before its socket is cut. `ws` waits 30 s for the answer, and
 * graphql-ws ends a socket's streams only once it is closed: a client that stopped reading kept its streams,
 * their provider calls (billed) and their slots that long (past its token's expiry, or holding a stopping
 * process).
 */
export const CLOSE_GRACE_MS = 1_000;

export function closeFirmly(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  const cut = setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}
