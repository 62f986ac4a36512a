// A graphql-ws socket is authenticated once, in connection_init, so its token's expiry must end it: the
// socket is closed with 4401 when the token stops being valid, and any operation that arrives after that
// (the timer may fire late) is refused. Valid means what the verifier accepts: `exp` plus the clock tolerance.
import type { WebSocket } from 'ws';

/** The protocol's code for a missing, bad or expired token (graphql-ws itself would use 4403). */
export const WS_UNAUTHORIZED = 4401;

/** setTimeout fires at once for a delay past 2^31 - 1 ms (about 24.8 days); longer waits are re-armed. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export function closeUnauthorized(socket: WebSocket): void {
  socket.close(WS_UNAUTHORIZED, 'Unauthorized');
}

/** Closes the socket with 4401 at `validUntil` (epoch ms); the timer goes when the socket closes first. */
export function closeAtExpiry(socket: WebSocket, validUntil: number): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = validUntil - Date.now();
    if (left <= 0) {
      closeUnauthorized(socket);
      return;
    }
    timer = setTimeout(arm, Math.min(left, LONGEST_TIMER_MS));
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  arm();
}
