// Wraps a subscription's event source so that an unsubscribe aborts its work at once. An async generator's
// return() waits until the generator next yields, which for a hung provider could be the whole deadline.
export function abortable<T>(start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const source = start(controller.signal);
  const iterator: AsyncIterableIterator<T> = {
    next: () => source.next(),
    return: async (value?: unknown) => {
      controller.abort();
      await source.return(undefined);
      return { done: true, value: value as T };
    },
    throw: (error?: unknown) => {
      controller.abort();
      return source.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
