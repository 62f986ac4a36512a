// Wraps a subscription's event source so that an unsubscribe aborts its work at once. An async generator's
// return() waits until the generator next yields, which for a hung provider could be the whole deadline. Each
// event is mapped here (to its union member) rather than by one more async generator around the source: a
// stream holds every layer of its iterators, suspended, for as long as it is open.
export function abortable<T, U>(
  start: (signal: AbortSignal) => AsyncGenerator<T>,
  map: (event: T) => U,
): AsyncIterableIterator<U> {
  const controller = new AbortController();
  const source = start(controller.signal);
  const iterator: AsyncIterableIterator<U> = {
    next: async () => {
      const next = await source.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: map(next.value) };
    },
    return: async (value?: unknown) => {
      controller.abort();
      await source.return(undefined);
      return { done: true, value: value as U };
    },
    throw: async (error?: unknown) => {
      controller.abort();
      const next = await source.throw(error);
      return next.done ? { done: true, value: undefined } : { done: false, value: map(next.value) };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
