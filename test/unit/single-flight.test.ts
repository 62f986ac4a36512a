// SingleFlight: identical requests in flight at once share one call; once it settles (either way) the next
// request makes a call of its own.
import { SingleFlight } from '../../subgraph/gateway/cache/single-flight';

/** A piece of work the test settles by hand, counting how often it was started. */
function manualWork() {
  let starts = 0;
  let settle: { resolve: (value: string) => void; reject: (error: Error) => void } | undefined;
  const work = () => {
    starts += 1;
    return new Promise<string>((resolve, reject) => {
      settle = { resolve, reject };
    });
  };
  return {
    work,
    starts: () => starts,
    resolve: (value: string) => settle?.resolve(value),
    reject: (error: Error) => settle?.reject(error),
  };
}

describe('SingleFlight', () => {
  it('shares one call among requests with the same key while it is in flight', async () => {
    const flights = new SingleFlight<string>();
    const manual = manualWork();
    const first = flights.run('k', manual.work);
    const second = flights.run('k', manual.work);
    expect(first.shared).toBe(false);
    expect(second.shared).toBe(true);
    expect(second.result).toBe(first.result);
    expect(manual.starts()).toBe(1);
    expect(flights.size).toBe(1);
    manual.resolve('answer');
    await expect(second.result).resolves.toBe('answer');
  });

  it('keeps different keys apart', () => {
    const flights = new SingleFlight<string>();
    const manual = manualWork();
    expect(flights.run('a', manual.work).shared).toBe(false);
    expect(flights.run('b', manual.work).shared).toBe(false);
    expect(manual.starts()).toBe(2);
    expect(flights.size).toBe(2);
  });

  it('forgets a call once it succeeds: the next request starts a new one', async () => {
    const flights = new SingleFlight<string>();
    const manual = manualWork();
    const first = flights.run('k', manual.work);
    manual.resolve('one');
    await first.result;
    expect(flights.size).toBe(0);
    const next = flights.run('k', manual.work);
    expect(next.shared).toBe(false);
    expect(manual.starts()).toBe(2);
  });

  it('forgets a call once it fails, and every sharer sees the failure', async () => {
    const flights = new SingleFlight<string>();
    const manual = manualWork();
    const first = flights.run('k', manual.work);
    const second = flights.run('k', manual.work);
    manual.reject(new Error('provider down'));
    await expect(first.result).rejects.toThrow('provider down');
    await expect(second.result).rejects.toThrow('provider down');
    expect(flights.size).toBe(0);
    expect(flights.run('k', manual.work).shared).toBe(false);
  });
});
