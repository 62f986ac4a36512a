// SPEND_RESERVATION_TTL_MS: how long a spend-cap reservation outlives a process that died mid-call. Unset, it
// follows the longest a call can run (DEADLINE_MS, STREAM_MAX_MS, JOB_DEADLINE_MS, a route's own deadline) plus 30 s, so a
// reservation never lapses while its call still runs; set, it is taken as given; out of range, the start
// stops naming it. The wait and the failure policy are the rate limits' own.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

describe('spend cap configuration', () => {
  it('derives the reservation TTL from the longest call: the stream cap by default, plus 30 s', () => {
    expect(loadConfig({}).gateway.spend).toEqual({
      timeoutMs: 250,
      onFailure: 'closed',
      reservationTtlMs: 120_000 + 30_000,
    });
  });

  it("follows a longer deadline, a route's own included", () => {
    const longDeadline = loadConfig({
      DEADLINE_MS: '90000',
      STREAM_MAX_MS: '60000',
      JOB_DEADLINE_MS: '60000',
    });
    expect(longDeadline.gateway.spend.reservationTtlMs).toBe(120_000);
    const longRoute = loadConfig({
      STREAM_MAX_MS: '60000',
      JOB_DEADLINE_MS: '60000',
      OPENAI_API_KEY: 'k',
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: { answer: { chain: [{ provider: 'openai', model: 'gpt-4.1' }], deadlineMs: 100_000 } },
      }),
    });
    expect(longRoute.gateway.spend.reservationTtlMs).toBe(130_000);
  });

  it("follows a background job's longer deadline", () => {
    expect(loadConfig({ JOB_DEADLINE_MS: '600000' }).gateway.spend.reservationTtlMs).toBe(630_000);
  });

  it('takes SPEND_RESERVATION_TTL_MS as given, with the rate limits wait and policy', () => {
    const config = loadConfig({
      SPEND_RESERVATION_TTL_MS: '5000',
      LIMITS_TIMEOUT_MS: '40',
      LIMITS_ON_REDIS_FAILURE: 'open',
    });
    expect(config.gateway.spend).toEqual({ timeoutMs: 40, onFailure: 'open', reservationTtlMs: 5_000 });
  });

  it('refuses a TTL out of range, naming the setting', () => {
    const load = () => loadConfig({ SPEND_RESERVATION_TTL_MS: '-1' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/SPEND_RESERVATION_TTL_MS/);
  });
});
