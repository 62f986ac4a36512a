// The rate limiter in process memory: one replica's sliding windows (see rate-limiter.ts for the algorithm).
// Also the per-process guard when Redis is away and LIMITS_ON_REDIS_FAILURE=open.
import { randomUUID } from 'node:crypto';
import { RATE_WINDOW_MS, countedTokens } from './rate-limiter';
import type { RateDecision, RateLimiter, RateLimits } from './rate-limiter';

interface TokenEntry {
  at: number;
  tokens: number;
}

interface TenantWindows {
  /** Admissions with their times, oldest first. */
  requests: { at: number; ticket: string }[];
  /** Admissions with their tokens, oldest first (a Map keeps insertion order). */
  tokens: Map<string, TokenEntry>;
  tokenSum: number;
}

export function createMemoryRateLimiter(windowMs = RATE_WINDOW_MS, now = () => Date.now()): RateLimiter {
  const tenants = new Map<string, TenantWindows>();

  /** Drops what left the window: an entry at t counts for [t, t + window). */
  const windowsOf = (tenantId: string, at: number): TenantWindows => {
    let windows = tenants.get(tenantId);
    if (!windows) tenants.set(tenantId, (windows = { requests: [], tokens: new Map(), tokenSum: 0 }));
    const since = at - windowMs;
    const firstLive = windows.requests.findIndex((request) => request.at > since);
    windows.requests.splice(0, firstLive === -1 ? windows.requests.length : firstLive);
    for (const [ticket, entry] of windows.tokens) {
      if (entry.at > since) break;
      windows.tokenSum -= entry.tokens;
      windows.tokens.delete(ticket);
    }
    return windows;
  };

  /** Empty windows are forgotten, so idle tenants hold no memory. */
  const forgetIfEmpty = (tenantId: string, windows: TenantWindows) => {
    if (windows.requests.length === 0 && windows.tokens.size === 0) tenants.delete(tenantId);
  };

  return {
    acquire(tenantId: string, limits: RateLimits, estimate: number): Promise<RateDecision> {
      const at = now();
      const windows = windowsOf(tenantId, at);
      const { requestsPerMinute: rpm, tokensPerMinute: tpm } = limits;
      if (rpm !== undefined && windows.requests.length >= rpm) {
        // The request fits once the entry that makes the count N has left the window.
        const blocking = windows.requests[windows.requests.length - rpm]?.at ?? at;
        return Promise.resolve({
          admitted: false,
          limit: 'requests',
          perMinute: rpm,
          retryAfterMs: Math.max(1, blocking + windowMs - at),
        });
      }
      const tokens = countedTokens(estimate, tpm);
      if (tpm !== undefined && windows.tokenSum + tokens > tpm) {
        let excess = windows.tokenSum + tokens - tpm;
        let fitsAt = at + windowMs;
        for (const entry of windows.tokens.values()) {
          excess -= entry.tokens;
          if (excess <= 0) {
            fitsAt = entry.at + windowMs;
            break;
          }
        }
        return Promise.resolve({
          admitted: false,
          limit: 'tokens',
          perMinute: tpm,
          retryAfterMs: Math.max(1, fitsAt - at),
        });
      }
      const ticket = randomUUID();
      if (rpm !== undefined) windows.requests.push({ at, ticket });
      if (tpm !== undefined) {
        windows.tokens.set(ticket, { at, tokens });
        windows.tokenSum += tokens;
      }
      forgetIfEmpty(tenantId, windows);
      return Promise.resolve({ admitted: true, ticket });
    },

    settle(tenantId: string, ticket: string, used: number): Promise<void> {
      const windows = tenants.get(tenantId);
      if (!windows) return Promise.resolve();
      windowsOf(tenantId, now());
      const entry = windows.tokens.get(ticket);
      if (entry) {
        const tokens = countedTokens(used, undefined);
        windows.tokenSum += tokens - entry.tokens;
        entry.tokens = tokens;
      }
      forgetIfEmpty(tenantId, windows);
      return Promise.resolve();
    },

    release(tenantId: string, ticket: string): Promise<void> {
      const windows = tenants.get(tenantId);
      if (!windows) return Promise.resolve();
      windowsOf(tenantId, now());
      const request = windows.requests.findIndex((entry) => entry.ticket === ticket);
      if (request >= 0) windows.requests.splice(request, 1);
      const entry = windows.tokens.get(ticket);
      if (entry) {
        windows.tokenSum -= entry.tokens;
        windows.tokens.delete(ticket);
      }
      forgetIfEmpty(tenantId, windows);
      return Promise.resolve();
    },
  };
}
