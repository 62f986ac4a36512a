// Runs an async generator's every step in one trace context. AsyncLocalStorage gives a generator's body the
// context of whoever calls next(): for a subscription that is graphql-ws's socket loop, which knows nothing of
// the request, so without this the stream's spans would start traces of their own.
import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

export function bindAsyncGenerator<T, R>(
  bound: Context,
  source: AsyncGenerator<T, R, undefined>,
): AsyncGenerator<T, R, undefined> {
  const generator: AsyncGenerator<T, R, undefined> = {
    next: () => context.with(bound, () => source.next()),
    return: (value) => context.with(bound, () => source.return(value)),
    throw: (error: unknown) => context.with(bound, () => source.throw(error)),
    [Symbol.asyncIterator]: () => generator,
  };
  return generator;
}
