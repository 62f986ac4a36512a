// The GraphQL errors sent on purpose for auth: the public message helps no attacker.
import { GraphQLError } from 'graphql';

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
