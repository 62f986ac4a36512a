// SingleFlight: identical requests in flight at once share one call and its outcome, success or failure, and
// a key is free again the moment its call settles, so a later request makes a call of its own.
import { SingleFlight } from '../../subgraph/gateway/cache/single-flight';

/** A call the test settles by hand, counting how often it was started. */
function deferredWork<T>() {
  let calls = 0;
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const work = () => {
    calls += 1;
    return new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
  };
  return {
    work,
    calls: () => calls,
    resolve: (value: T) => resolve(value),
    reject: (e: unknown) => reject(e),
  };
}

describe('SingleFlight', () => {
  it('runs the work once for concurrent runs of one key: the first owns it, the others share its result', async () => {
    const flight = new SingleFlight<string>();
    const call = deferredWork<string>();
    const first = flight.run('tenant-a:answer:q', call.work);
    const second = flight.run('tenant-a:answer:q', call.work);
    const third = flight.run('tenant-a:answer:q', call.work);

    expect([first.shared, second.shared, third.shared]).toEqual([false, true, true]);
    expect(call.calls()).toBe(1);
    expect(flight.size).toBe(1);
    call.resolve('the answer');
    expect(await Promise.all([first.result, second.result, third.result])).toEqual([
      'the answer',
      'the answer',
      'the answer',
    ]);
  });

  it('runs different keys independently', async () => {
    const flight = new SingleFlight<string>();
    const a = deferredWork<string>();
    const b = deferredWork<string>();
    const runA = flight.run('tenant-a:q', a.work);
    const runB = flight.run('tenant-b:q', b.work);
    expect([runA.shared, runB.shared]).toEqual([false, false]);
    expect(flight.size).toBe(2);
    b.resolve('b');
    a.resolve('a');
    expect(await runA.result).toBe('a');
    expect(await runB.result).toBe('b');
  });

  it('frees the key once the work succeeds: the next run starts a call of its own', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    const work = async () => (calls += 1);
    expect(await flight.run('k', work).result).toBe(1);
    expect(flight.size).toBe(0);
    const again = flight.run('k', work);
    expect(again.shared).toBe(false);
    expect(await again.result).toBe(2);
    expect(calls).toBe(2);
  });

  it('gives every sharer the same failure, then frees the key so that the next run tries again', async () => {
    const flight = new SingleFlight<string>();
    const call = deferredWork<string>();
    const owner = flight.run('k', call.work);
    const sharer = flight.run('k', call.work);
    const failure = new Error('provider down');
    call.reject(failure);
    await expect(owner.result).rejects.toBe(failure);
    await expect(sharer.result).rejects.toBe(failure);
    expect(flight.size).toBe(0);

    const retry = flight.run('k', async () => 'recovered');
    expect(retry.shared).toBe(false);
    expect(await retry.result).toBe('recovered');
  });

  it('treats a run that starts after the call settled as new, even for the same key', async () => {
    const flight = new SingleFlight<string>();
    const first = deferredWork<string>();
    const owner = flight.run('k', first.work);
    first.resolve('old');
    await owner.result;
    const second = deferredWork<string>();
    const next = flight.run('k', second.work);
    expect(next.shared).toBe(false);
    second.resolve('new');
    expect(await next.result).toBe('new');
    expect(first.calls() + second.calls()).toBe(2);
  });
});
