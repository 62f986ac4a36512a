// A stand-in for an object a suite makes in beforeAll (a harness, a client), so its top level can hold it,
// and its tests and helpers use it as they would the object itself. Each use reads the object made last.

/**
 * Forwards every property read to the object `current()` returns at that moment; methods are bound to it, so
 * they run as the object's own. `current` throws when the object is not made yet (a test bug).
 */
export function forwardingTo<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      const target = current();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_target, key) => Reflect.has(current(), key),
  });
}
