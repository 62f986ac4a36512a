// SHUTDOWN_DRAIN_DELAY_MS (finding "/readyz never answered stopping"): the time from the signal to the drain,
// while /readyz answers `stopping`. Unset it is 5 s in production, where a load balancer must notice first, and
// 0 elsewhere, where a Ctrl-C should stop the process at once.
import { loadConfig } from '../../subgraph/config/load-config';

const PRODUCTION = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) };

describe('SHUTDOWN_DRAIN_DELAY_MS', () => {
  it('defaults by mode: 5000 in production, 0 in development and test (blank is unset)', () => {
    expect(loadConfig(PRODUCTION).server.shutdownDrainDelayMs).toBe(5_000);
    expect(loadConfig({ ...PRODUCTION, SHUTDOWN_DRAIN_DELAY_MS: ' ' }).server.shutdownDrainDelayMs).toBe(
      5_000,
    );
    expect(loadConfig({ NODE_ENV: 'test' }).server.shutdownDrainDelayMs).toBe(0);
    expect(loadConfig({}).server.shutdownDrainDelayMs).toBe(0);
  });

  it('takes a value in 0–60000 in any mode, 0 in production included', () => {
    expect(loadConfig({ ...PRODUCTION, SHUTDOWN_DRAIN_DELAY_MS: '0' }).server.shutdownDrainDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: '60000' }).server.shutdownDrainDelayMs).toBe(60_000);
  });

  it.each(['-1', '60001', '5s', '0x10'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ SHUTDOWN_DRAIN_DELAY_MS: value })).toThrow(
      /^SHUTDOWN_DRAIN_DELAY_MS expects an integer between 0 and 60000/,
    );
  });
});
