// A graphql-ws client that stops reading must not grow the server's memory without end. Streamed results wait
// for each send, but replies to what the client sends do not: each `ping` is answered with a `pong` echoing its
// payload (before connection_init too), and each bad message with an error. A client that keeps sending and
// never reads (and answers the keepalive's pings, so it is never dropped) had 2 GB of replies queued in 20 s.
// Its connection is cut once what it has not read passes a bound.
import type { WebSocket, WebSocketServer } from 'ws';

/** The unread bytes a connection may hold, as a multiple of the largest message it may send (maxPayload). */
export const UNREAD_PAYLOADS = 4;

/**
 * Cuts (terminates: a close frame would wait 30 s for a peer that does not read) every connection of `server`
 * whose unread replies pass `maxUnreadBytes`, checked as each of its messages arrives, before it is handled.
 * Registered before graphql-ws's own handlers, so it sees each message first.
 */
export function cutUnreadConnections(server: WebSocketServer, maxUnreadBytes: number): void {
  server.on('connection', (socket: WebSocket) => {
    socket.on('message', () => {
      if (socket.bufferedAmount > maxUnreadBytes) socket.terminate();
    });
  });
}
