// A token that cannot be trusted. The precise cause goes to the logs; callers only ever see UNAUTHENTICATED.
export type AuthFailure =
  | 'missing-token'
  | 'malformed'
  | 'bad-signature'
  | 'algorithm-not-allowed'
  | 'expired'
  | 'missing-expiry'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-tenant'
  | 'invalid-tenant'
  | 'key-unavailable';

export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(readonly failure: AuthFailure) {
    super(`authentication failed: ${failure}`);
  }

  static isInstance(value: unknown): value is AuthenticationError {
    return value instanceof Error && value.name === 'AuthenticationError';
  }
}
