// A variable the operation's types refuse is the caller's mistake, not a bug. graphql-js reports it without a
// code (and quotes the refused value, which may be a whole document), and Apollo Server tags it BAD_USER_INPUT
// over HTTP. graphql-ws does not, so without this the subscription transport masked it as an internal error and
// logged the caller's text.
import { GraphQLError, Kind } from 'graphql';

/** The same test as Apollo Server's request pipeline (`isBadUserInputGraphQLError`). */
function isVariableCoercionError(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const variable = `Variable "$${node.variable.name.value}" `;
  return ['has invalid value', 'got invalid value ', 'of required type ', 'of non-null type '].some((rest) =>
    error.message.startsWith(variable + rest),
  );
}

/** `error` with the BAD_USER_INPUT code where it is a variable's coercion error without a code of its own. */
export function withUserInputCode(error: GraphQLError): GraphQLError {
  if (error.extensions.code !== undefined || !isVariableCoercionError(error)) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}
