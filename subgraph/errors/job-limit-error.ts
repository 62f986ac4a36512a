// A tenant asked for a background job past one of its policy's job limits, or a connection subscribed to one
// job more than it may watch at once: the GraphQL layer sends it as JOB_LIMIT_EXCEEDED naming the limit, so a
// client can back off instead of treating it as a bug.
export class JobLimitError extends Error {
  override readonly name = 'JobLimitError';
  constructor(
    /** The policy key (`jobs.maxQueued`) or the variable (`WS_MAX_STREAMS_PER_CONNECTION`). */
    readonly limit: string,
    readonly max: number,
    message = `Too many AI jobs waiting: the tenant's ${limit} is ${max}; start more once some have run`,
  ) {
    super(message);
  }

  static isInstance(value: unknown): value is JobLimitError {
    return value instanceof Error && value.name === 'JobLimitError';
  }
}
