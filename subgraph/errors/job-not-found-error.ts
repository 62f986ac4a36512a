// No job by this id for the caller's tenant: the same words for an unknown id and another tenant's job, so
// the error tells nothing about what other tenants have. Sent as NOT_FOUND (aiJobUpdated, whose event is
// non-null; aiJob and cancelAIJob answer null instead).
export class JobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  constructor() {
    super('No AI job with this id');
  }

  static isInstance(value: unknown): value is JobNotFoundError {
    return value instanceof Error && value.name === 'JobNotFoundError';
  }
}
