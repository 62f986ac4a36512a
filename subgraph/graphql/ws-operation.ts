// Parses and validates a graphql-ws operation as Apollo Server does an HTTP one: the same token bound on the
// parser, the same rules, and failures tagged GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED. Every failure
// comes back as errors for that one operation: graphql-ws would close the whole socket on a throw, with the
// raw error message as the close reason. A document that passed is remembered by its text (the rules and
// schema are fixed for the server's life), so the next operation with the same text skips both steps and
// shares the one AST.
import { GraphQLError, parse, validate } from 'graphql';
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

function executionArgs(
  schema: GraphQLSchema,
  document: DocumentNode,
  payload: SubscribePayload,
): ExecutionArgs {
  return {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
  };
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
