// Bad input from a caller: names the offending field; the GraphQL layer turns it into BAD_USER_INPUT.
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly field: string,
    /** What is wrong with the field, without its name. */
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }

  /**
   * The same error named from further out: a check that sees one item (`id`) and a caller that knows where the
   * item sits (`representations[3]`) together name the field as the client wrote it (`representations[3].id`).
   */
  within(parent: string): InputError {
    return new InputError(this.field === '' ? parent : `${parent}.${this.field}`, this.reason);
  }

  static isInstance(value: unknown): value is InputError {
    return value instanceof Error && value.name === 'InputError';
  }
}
