// Every switch over a union ends here: a case added to the union but not to the switch fails to compile,
// and a value that slips past the types at run time (bad JSON, a stale client) fails loudly, not silently.
export class UnreachableCaseError extends Error {
  override readonly name = 'UnreachableCaseError';
  constructor(readonly value: unknown) {
    super(`unreachable case: ${JSON.stringify(value)}`);
  }

  static isInstance(value: unknown): value is UnreachableCaseError {
    return value instanceof Error && value.name === 'UnreachableCaseError';
  }
}

export function unreachable(value: never): never {
  throw new UnreachableCaseError(value);
}
