// A graphql-ws socket is authenticated once, in connection_init, so its token's expiry must end it: the
// socket is closed with 4401 when the token stops being valid, and any operation that arrives after that
// (the timer may fire late) is refused. Valid means what the verifier accepts: `exp` plus the clock tolerance.
import type { WebSocket } from 'ws';
import { closeFirmly } from './ws-close';

/** The protocol's code for a missing, bad or expired token (graphql-ws itself would use 4403). */
export const WS_UNAUTHORIZED = 4401;

/** setTimeout fires at once for a delay past 2^31 - 1 ms (about 24.8 days); longer waits are re-armed. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Sockets whose expiry timer is pending now: each holds its socket until it fires or the socket closes. */
let pendingTimers = 0;

/** How many expiry timers are pending in this process (the module's own count; read by tests). */
export function pendingExpiryTimers(): number {
  return pendingTimers;
}

export function closeUnauthorized(socket: WebSocket): void {
  closeFirmly(socket, WS_UNAUTHORIZED, 'Unauthorized');
}

/**
 * Closes the socket with 4401 at `validUntil` (epoch ms); the timer goes when the socket closes first. A socket
 * already closing or closed (its client left while connection_init was authenticated: a token-cache miss
 * awaits the verifier) gets no timer: its 'close' has been emitted, or is on its way with nothing to serve,
 * and a timer armed now would hold it until its token expired.
 */
export function closeAtExpiry(socket: WebSocket, validUntil: number): void {
  if (socket.readyState !== socket.OPEN) return;
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    pendingTimers -= 1;
  };
  const arm = () => {
    const left = validUntil - Date.now();
    if (left <= 0) {
      disarm();
      closeUnauthorized(socket);
      return;
    }
    if (timer === undefined) pendingTimers += 1;
    timer = setTimeout(arm, Math.min(left, LONGEST_TIMER_MS));
    timer.unref();
  };
  socket.once('close', disarm);
  arm();
}
