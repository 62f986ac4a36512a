// The queue that takes quality samples off the request path: offer never waits, a full queue drops, items are
// handled in order and after the offering code has moved on, and a failing item neither stops the rest nor
// reaches the offerer.
import { createBoundedQueue } from '../../subgraph/observability/quality/bounded-queue';

/** A promise and the function that settles it, for holding a handler mid-item. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = () => undefined as void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('createBoundedQueue', () => {
  it('handles items in order, in a later turn than the offer', async () => {
    const handled: number[] = [];
    const queue = createBoundedQueue<number>(
      10,
      async (item) => void handled.push(item),
      () => undefined,
    );
    expect([1, 2, 3].map((item) => queue.offer(item))).toEqual([true, true, true]);
    expect(handled).toEqual([]);
    await queue.idle();
    expect(handled).toEqual([1, 2, 3]);
  });

  it('drops what does not fit while the worker is busy, and takes items again once there is room', async () => {
    const held = gate();
    const handled: string[] = [];
    const queue = createBoundedQueue<string>(
      2,
      async (item) => {
        if (item === 'first') await held.opened;
        handled.push(item);
      },
      () => undefined,
    );
    // The worker takes `first` off the queue at once, so two more fit and the fourth does not.
    expect(['first', 'second', 'third', 'fourth'].map((item) => queue.offer(item))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    held.open();
    await queue.idle();
    expect(handled).toEqual(['first', 'second', 'third']);
    expect(queue.offer('fifth')).toBe(true);
    await queue.idle();
    expect(handled).toEqual(['first', 'second', 'third', 'fifth']);
  });

  it('reports a failing item to onError and goes on with the next', async () => {
    const failures: [string, string][] = [];
    const handled: string[] = [];
    const queue = createBoundedQueue<string>(
      10,
      async (item) => {
        if (item === 'bad') throw new Error('store down');
        handled.push(item);
      },
      (error, item) => failures.push([item, (error as Error).message]),
    );
    queue.offer('bad');
    queue.offer('good');
    await queue.idle();
    expect(failures).toEqual([['bad', 'store down']]);
    expect(handled).toEqual(['good']);
  });

  it('finishes what it holds on close and refuses anything after', async () => {
    const handled: number[] = [];
    const queue = createBoundedQueue<number>(
      10,
      async (item) => void handled.push(item),
      () => undefined,
    );
    queue.offer(1);
    queue.offer(2);
    await queue.close();
    expect(handled).toEqual([1, 2]);
    expect(queue.offer(3)).toBe(false);
    await queue.idle();
    expect(handled).toEqual([1, 2]);
  });
});
