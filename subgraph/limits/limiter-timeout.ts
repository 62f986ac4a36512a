// The bound on a wait for the shared limiter (LIMITS_TIMEOUT_MS). Under local overload the limiter's answer
// can sit unread in the socket while this process's own event loop is stalled; the bound running out then
// says nothing about Redis, and failing the check would send a healthy request to its floor
// (LIMITS_UNAVAILABLE: the false outage issue 13 found at 200 requests in flight). So when the loop's stall
// explains the timeout (resilience/stalled-timeout.ts), the bound is given again, a few times at most, so a
// Redis that is truly away still fails the check within a small multiple of LIMITS_TIMEOUT_MS.
// A bound that ran out does not undo the work: a Lua script that reserved spend or took a rate admission did so
// whenever its answer comes. That answer, landing after the caller was told the check failed, goes to `late`,
// which gives back what it took; otherwise the reservation would hold the tenant's cap until its TTL lapsed.
import { NO_STALLS } from '../observability/event-loop-lag';
import type { LoopStallClock } from '../observability/event-loop-lag';
import { watchTimeout } from '../gateway/resilience/stalled-timeout';

/** How many times a stalled loop may renew the bound: 4 bounds in all, a second at the default 250 ms. */
const MAX_RENEWALS = 3;

export class LimiterTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`rate limiter did not answer within ${timeoutMs} ms`);
    this.name = 'LimiterTimeout';
  }
}

/**
 * The work's answer, or a rejection once `timeoutMs` passed. The work itself runs on: an answer it gives after
 * the rejection is handed to `late` (never to the caller), so that what it holds can be given back.
 */
export function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  stalls: LoopStallClock = NO_STALLS,
  late: (answer: T) => void = () => undefined,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_resolve, reject) => {
    let renewals = 0;
    const arm = () => {
      const watch = watchTimeout(stalls);
      timer = setTimeout(() => {
        if (renewals < MAX_RENEWALS && watch.stallExplains(timeoutMs)) {
          renewals += 1;
          arm();
        } else {
          timedOut = true;
          reject(new LimiterTimeout(timeoutMs));
        }
      }, timeoutMs);
    };
    arm();
  });
  // Its answer settles the race first unless the bound already ran out: then nobody else will ever read it.
  work.then(
    (answer) => {
      if (timedOut) late(answer);
    },
    () => undefined,
  );
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
