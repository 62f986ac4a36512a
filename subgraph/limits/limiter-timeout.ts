// The bound on a wait for the shared limiter (LIMITS_TIMEOUT_MS). Under local overload the limiter's answer
// can sit unread in the socket while this process's own event loop is stalled; the bound running out then
// says nothing about Redis, and failing the check would send a healthy request to its floor
// (LIMITS_UNAVAILABLE: the false outage issue 13 found at 200 requests in flight). So when the loop's stall
// explains the timeout (resilience/stalled-timeout.ts), the bound is given again, a few times at most, so a
// Redis that is truly away still fails the check within a small multiple of LIMITS_TIMEOUT_MS.
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

/** The work's answer, or a rejection once `timeoutMs` passed (the work itself runs on, its answer unused). */
export function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  stalls: LoopStallClock = NO_STALLS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    let renewals = 0;
    const arm = () => {
      const watch = watchTimeout(stalls);
      timer = setTimeout(() => {
        if (renewals < MAX_RENEWALS && watch.stallExplains(timeoutMs)) {
          renewals += 1;
          arm();
        } else reject(new LimiterTimeout(timeoutMs));
      }, timeoutMs);
    };
    arm();
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
