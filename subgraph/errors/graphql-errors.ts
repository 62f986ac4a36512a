// The GraphQL errors sent on purpose for auth: the public message helps no attacker.
//
// An error's `extensions.http` sets the HTTP reply's status (Apollo Server takes it off the error). A refusal of
// the request as a whole, before execution, is 401 or 403. A refusal of one field during execution sets it
// only where it leaves `data` null (`nullsData`): GraphQL over HTTP requires a 2xx for an
// application/graphql-response+json reply whose `data` is not null, and a router or client reads a 4xx as a
// failed request (Apollo Router's SUBREQUEST_HTTP_ERROR, @apollo/gateway drops the body, Apollo Client a
// network error), losing the fields that were served.
import { GraphQLError } from 'graphql';

/** Where an auth refusal is raised, which decides whether it sets the HTTP status (see above). */
export interface Refusal {
  /** False for a field refused during execution whose null leaves `data` standing. */
  nullsData: boolean;
}

const REQUEST: Refusal = { nullsData: true };

function authError(message: string, code: string, status: number, { nullsData }: Refusal) {
  return new GraphQLError(message, {
    extensions: nullsData ? { code, http: { status } } : { code },
  });
}

/** No verified tenant: by default the request as a whole is refused (HTTP 401). */
export function unauthenticatedError(refusal: Refusal = REQUEST): GraphQLError {
  return authError('Authentication required: send a valid bearer token', 'UNAUTHENTICATED', 401, refusal);
}

/** The token lacks a scope `field` requires: HTTP 403 only when the refusal leaves `data` null. */
export function forbiddenError(field: string, refusal: Refusal = { nullsData: false }): GraphQLError {
  return authError(`Not allowed: the token lacks a scope that ${field} requires`, 'FORBIDDEN', 403, refusal);
}

/** A subscription sent over HTTP: the stream lives on graphql-ws, and the message says where. */
export function subscriptionOverHttpError(wsPath: string): GraphQLError {
  return new GraphQLError(
    `Subscriptions are served over WebSocket only: connect a graphql-ws client (subprotocol ` +
      `graphql-transport-ws) to ${wsPath} and send the bearer token in connection_init`,
    { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
  );
}
