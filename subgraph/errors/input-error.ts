// Bad input from a caller: names the offending field; the GraphQL layer turns it into BAD_USER_INPUT.
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }

  static isInstance(value: unknown): value is InputError {
    return value instanceof Error && value.name === 'InputError';
  }
}
