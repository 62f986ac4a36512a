// Wraps a subscription's event source so that an unsubscribe aborts its work at once. An async generator's
// return() waits until the generator next yields, which for a hung provider could be the whole deadline. Each
// event is mapped here (to its union member) rather than by one more async generator around the source: a
// stream holds every layer of its iterators, suspended, for as long as it is open.
export function abortable<T, U>(
  start: (signal: AbortSignal) => AsyncGenerator<T>,
  map: (event: T) => U,
  /** Called once when the subscription ends, however it ends (its last event, an unsubscribe, an error). */
  onEnd: () => void = () => undefined,
): AsyncIterableIterator<U> {
  const controller = new AbortController();
  const source = start(controller.signal);
  const mapped = (result: IteratorResult<T>): IteratorResult<U> => {
    if (!result.done) return { done: false, value: map(result.value) };
    onEnd();
    return { done: true, value: undefined };
  };
  const iterator: AsyncIterableIterator<U> = {
    next: async () => {
      try {
        return mapped(await source.next());
      } catch (error) {
        onEnd();
        throw error;
      }
    },
    return: async (value?: unknown) => {
      controller.abort();
      try {
        await source.return(undefined);
      } finally {
        onEnd();
      }
      return { done: true, value: value as U };
    },
    throw: async (error?: unknown) => {
      controller.abort();
      try {
        return mapped(await source.throw(error));
      } catch (thrown) {
        onEnd();
        throw thrown;
      }
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
