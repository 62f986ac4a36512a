// A stopping replica gives its graphql-ws streams the grace its HTTP requests get (SHUTDOWN_GRACE_MS's HTTP
// part), instead of closing every socket at once: an answer streaming when the drain began ends as it would
// have, where a 1001 mid-answer made a client such as graphql-ws's createClient reconnect elsewhere and send the
// subscription again, the question asked (and paid for) twice and its first deltas shown twice. A connection with
// no operation open closes at once (1001, "Going away": its client reconnects to another replica), each other
// one as soon as its last operation ends, and new operations on a draining connection are refused. What is still
// open when the grace ends is closed all the same.
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { WebSocketServer } from 'ws';
import { closeFirmly } from './ws-close';

/** graphql-ws's server context of a connection, as far as read here: its operations open, by id. */
interface ConnectionOperations {
  subscriptions: Record<string, unknown>;
}

export const GOING_AWAY = 1001;

/** How often a drain looks for connections whose last operation has ended. */
const DRAIN_POLL_MS = 50;

export interface WsDrain {
  /** `socket`'s connection was accepted (connection_init): its operations are `context`'s. */
  accepted(socket: WebSocket, context: ConnectionOperations): void;
  /** Whether a drain has begun: new operations are refused. */
  draining(): boolean;
  /**
   * Closes each connection once it has no operation open, the idle ones at once; resolves when none is left
   * open or `graceMs` has passed, with how many connections still had operations open then.
   */
  drain(graceMs: number): Promise<number>;
}

export function wsDrain(wsServer: WebSocketServer): WsDrain {
  const contexts = new WeakMap<WebSocket, ConnectionOperations>();
  let draining = false;
  /** No operation open: never accepted (connection_init not yet through), or every operation ended. */
  const idle = (socket: WebSocket) => Object.keys(contexts.get(socket)?.subscriptions ?? {}).length === 0;
  const open = () => [...wsServer.clients].filter((socket) => socket.readyState === WebSocket.OPEN);
  return {
    accepted: (socket, context) => void contexts.set(socket, context),
    draining: () => draining,
    async drain(graceMs) {
      draining = true;
      const until = performance.now() + graceMs;
      for (;;) {
        for (const socket of open()) if (idle(socket)) closeFirmly(socket, GOING_AWAY, 'Going away');
        const streaming = open().length;
        const left = until - performance.now();
        if (streaming === 0 || left <= 0) return streaming;
        await sleep(Math.min(DRAIN_POLL_MS, left));
      }
    },
  };
}
