// Parses and validates a graphql-ws operation as Apollo Server does an HTTP one: the same token bound on the
// parser, the same rules, and failures tagged GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED. Then, as
// Apollo Server does, the operation to run is picked out of the document (the one `operationName` names, or
// the only one): a document where none can be picked is OPERATION_RESOLUTION_FAILURE with graphql-js's own
// message, as over HTTP, not a bug. Every failure comes back as errors for that one operation: graphql-ws
// would close the whole socket on a throw, with the raw error message as the close reason. A document that
// passed is remembered by its text (the rules and schema are fixed for the server's life), so the next
// operation with the same text skips both steps and shares the one AST.
import { getOperationAST, GraphQLError, Kind, parse, validate } from 'graphql';
import type { DocumentNode, ExecutionArgs, GraphQLSchema, ValidationRule } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';

export interface OperationRules {
  schema: GraphQLSchema;
  rules: readonly ValidationRule[];
  maxTokens: number;
  /** Documents that parsed and validated, by source text; absent or null: parse and validate every time. */
  validated?: {
    get(query: string): DocumentNode | undefined;
    set(query: string, document: DocumentNode): unknown;
  } | null;
}

export function prepareOperation(
  { schema, rules, maxTokens, validated }: OperationRules,
  payload: SubscribePayload,
): ExecutionArgs | readonly GraphQLError[] {
  const known = validated?.get(payload.query);
  if (known) return executionArgs(schema, known, payload);
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens });
  } catch (error) {
    return [tagged(error, 'GRAPHQL_PARSE_FAILED')];
  }
  let errors: readonly GraphQLError[];
  try {
    errors = validate(schema, document, rules);
  } catch (error) {
    // A rule that throws is a bug, not a refusal: untagged, so formatError logs and masks it.
    return [new GraphQLError('Internal server error', { originalError: asError(error) })];
  }
  if (errors.length > 0) return errors.map((error) => tagged(error, 'GRAPHQL_VALIDATION_FAILED'));
  validated?.set(payload.query, document);
  return executionArgs(schema, document, payload);
}

/** The operation `payload` names in `document` as execution args, or the error graphql-js would answer. */
function executionArgs(
  schema: GraphQLSchema,
  document: DocumentNode,
  payload: SubscribePayload,
): ExecutionArgs | readonly GraphQLError[] {
  // The cached document is shared by operations with other names: the pick is made for each one.
  if (!getOperationAST(document, payload.operationName)) return [operationResolutionError(document, payload)];
  return {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
  };
}

/** graphql-js's message for an operation it cannot pick (execute's), which Apollo Server sends over HTTP. */
function operationResolutionError(document: DocumentNode, payload: SubscribePayload): GraphQLError {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  const message =
    typeof payload.operationName === 'string'
      ? `Unknown operation named "${payload.operationName}".`
      : operations === 0
        ? 'Must provide an operation.'
        : 'Must provide operation name if query contains multiple operations.';
  return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
}

/** A GraphQLError keeps its message, tagged with `code`; anything else is a bug and stays untagged (masked). */
function tagged(error: unknown, code: string): GraphQLError {
  if (!(error instanceof GraphQLError))
    return new GraphQLError('Internal server error', { originalError: asError(error) });
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
