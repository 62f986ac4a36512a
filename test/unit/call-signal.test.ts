// One call's abort signal (call-signal.ts): aborted by its first source to abort, with that reason, or by its
// clock with a TimeoutError, as AbortSignal.any and AbortSignal.timeout would; and, unlike them, detached from
// its sources and its clock by release(), so a settled call leaves no timer or listener behind.
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { callSignal } from '../../subgraph/gateway/resilience/call-signal';
import { Deadline } from '../../subgraph/gateway/resilience/deadline';

describe('callSignal', () => {
  it('aborts with the reason of the first source to abort, and stops listening to the others', () => {
    const first = new AbortController();
    const second = new AbortController();
    const call = callSignal([first.signal, undefined, second.signal]);
    expect(call.signal.aborted).toBe(false);
    const reason = new Error('the caller left');
    second.abort(reason);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toBe(reason);
    expect(getEventListeners(first.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once when a source already is, with its reason', () => {
    const gone = new AbortController();
    gone.abort('dropped');
    const call = callSignal([new AbortController().signal, gone.signal], 60_000);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toBe('dropped');
  });

  it('aborts with a TimeoutError when its time is up, as AbortSignal.timeout does', async () => {
    const source = new AbortController();
    const call = callSignal([source.signal], 20);
    await sleep(60);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toMatchObject({ name: 'TimeoutError' });
    expect(getEventListeners(source.signal, 'abort')).toHaveLength(0);
  });

  it('is aborted at once with a TimeoutError when no time is left', () => {
    const call = callSignal([], 0);
    expect(call.signal.aborted).toBe(true);
    expect(call.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('after release(), neither its clock nor its sources abort it, and no listener is left on them', async () => {
    const source = new AbortController();
    const call = callSignal([source.signal], 20);
    expect(getEventListeners(source.signal, 'abort')).toHaveLength(1);
    call.release();
    expect(getEventListeners(source.signal, 'abort')).toHaveLength(0);
    await sleep(60);
    source.abort('late');
    expect(call.signal.aborted).toBe(false);
  });
});

describe('Deadline.callSignal', () => {
  it('aborts when the deadline is spent, and not once released', async () => {
    const deadline = new Deadline(20);
    const kept = deadline.callSignal();
    const released = deadline.callSignal();
    released.release();
    await sleep(60);
    expect(kept.signal.aborted).toBe(true);
    expect(kept.signal.reason).toMatchObject({ name: 'TimeoutError' });
    expect(released.signal.aborted).toBe(false);
  });

  it('is aborted at once for a deadline already spent', async () => {
    const deadline = new Deadline(1);
    await sleep(10);
    expect(deadline.callSignal().signal.aborted).toBe(true);
  });
});
