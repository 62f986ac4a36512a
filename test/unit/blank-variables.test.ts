// A blank variable is an unset one: it takes its default (found by a review: `z.coerce.number()` made a blank
// number 0, so `JOB_CONCURRENCY=` ran no jobs, `PORT=` listened on a random port and `SHUTDOWN_GRACE_MS=` stopped
// every replica with no grace, all without an error).
import { loadConfig } from '../../subgraph/config/load-config';

describe('blank variables', () => {
  it('take their defaults, numbers included', () => {
    const defaults = loadConfig({});
    const blank = loadConfig({
      JOB_CONCURRENCY: '',
      PORT: ' ',
      SHUTDOWN_GRACE_MS: '',
      ASK_MIN_SIMILARITY: '',
    });
    expect(blank.jobs.concurrency).toBe(defaults.jobs.concurrency);
    expect(defaults.jobs.concurrency).toBeGreaterThan(0);
    expect(blank.server.port).toBe(defaults.server.port);
    expect(defaults.server.port).toBeGreaterThan(0);
    expect(blank.server.shutdownGraceMs).toBe(defaults.server.shutdownGraceMs);
    expect(blank.retrieval.askMinSimilarity).toBe(defaults.retrieval.askMinSimilarity);
  });

  it('still refuses a value that is not a number, naming the variable', () => {
    expect(() => loadConfig({ JOB_CONCURRENCY: '4 jobs' })).toThrow(/^JOB_CONCURRENCY expects an integer/);
  });

  it('refuses SHUTDOWN_GRACE_MS=0, which made main.ts force-exit at the signal with no drain', () => {
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '0' })).toThrow(
      /^SHUTDOWN_GRACE_MS expects an integer between 1000 and 120000/,
    );
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '1000' }).server.shutdownGraceMs).toBe(1000);
  });
});
