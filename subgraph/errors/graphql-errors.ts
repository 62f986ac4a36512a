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

/** A subscription sent over HTTP: the stream lives on graphql-ws, and the message says where. */
export function subscriptionOverHttpError(wsPath: string): GraphQLError {
  return new GraphQLError(
    `Subscriptions are served over WebSocket only: connect a graphql-ws client (subprotocol ` +
      `graphql-transport-ws) to ${wsPath} and send the bearer token in connection_init`,
    { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
  );
}
