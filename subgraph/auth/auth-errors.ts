// Auth failures as GraphQL errors. The public message helps no attacker; the precise cause goes to logs.
import { GraphQLError } from 'graphql';

export type AuthFailure =
  | 'missing-token'
  | 'malformed'
  | 'bad-signature'
  | 'algorithm-not-allowed'
  | 'expired'
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

export function unauthenticatedError(): GraphQLError {
  return new GraphQLError('Authentication required: send a valid bearer token', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

export function forbiddenError(field: string): GraphQLError {
  return new GraphQLError(`Not allowed: the token lacks a scope that ${field} requires`, {
    extensions: { code: 'FORBIDDEN', http: { status: 403 } },
  });
}
