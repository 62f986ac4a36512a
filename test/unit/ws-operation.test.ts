// prepareOperation with its store of validated documents: a document that passed is parsed once and shared by
// every later operation with the same text (open streams of one operation hold one AST, not one each), with
// each operation's own variables and name; a document that failed is never stored, so it fails every time;
// and without a store every operation is parsed anew.
import { GraphQLObjectType, GraphQLSchema, GraphQLString, specifiedRules } from 'graphql';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { createValidatedDocuments } from '../../subgraph/graphql/document-cache';
import { prepareOperation } from '../../subgraph/graphql/ws-operation';
import type { OperationRules } from '../../subgraph/graphql/ws-operation';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: { ticks: { type: GraphQLString, args: { from: { type: GraphQLString } } } },
  }),
});
const QUERY = 'subscription Ticks($from: String) { ticks(from: $from) }';

function rules(withStore: boolean): OperationRules {
  return {
    schema,
    rules: specifiedRules,
    maxTokens: 100,
    validated: withStore ? createValidatedDocuments(1_000_000) : null,
  };
}

function prepared(result: ExecutionArgs | readonly GraphQLError[]): ExecutionArgs {
  if (Array.isArray(result)) throw new Error(`refused: ${result.map((e: GraphQLError) => e.message).join()}`);
  return result as ExecutionArgs;
}

describe('prepareOperation with a store of validated documents', () => {
  it('shares one parsed document between operations of the same text, each with its own variables', () => {
    const operation = rules(true);
    const first = prepared(prepareOperation(operation, { query: QUERY, variables: { from: 'a' } }));
    const second = prepared(
      prepareOperation(operation, { query: QUERY, operationName: 'Ticks', variables: { from: 'b' } }),
    );
    expect(second.document).toBe(first.document);
    expect(first.variableValues).toEqual({ from: 'a' });
    expect(second.variableValues).toEqual({ from: 'b' });
    expect(second.operationName).toBe('Ticks');
  });

  it('never stores a document that failed validation: it is refused again, tagged the same', () => {
    const operation = rules(true);
    const bad = { query: 'subscription { nope }' };
    for (let i = 0; i < 2; i += 1) {
      const result = prepareOperation(operation, bad);
      expect(Array.isArray(result)).toBe(true);
      const [error] = result as readonly GraphQLError[];
      expect(error?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('parses every operation anew without a store', () => {
    const operation = rules(false);
    const first = prepared(prepareOperation(operation, { query: QUERY }));
    const second = prepared(prepareOperation(operation, { query: QUERY }));
    expect(second.document).not.toBe(first.document);
    expect(second.document).toEqual(first.document);
  });

  it('creates no store when its bound is 0', () => {
    expect(createValidatedDocuments(0)).toBeNull();
  });
});

describe('over graphql-ws, an operation the server cannot pick out comes back INTERNAL_SERVER_ERROR and is logged as a bug', () => {
  const TWO = 'query A { ok } query B { ok }';
  const refusal = (result: ExecutionArgs | readonly GraphQLError[]) => {
    expect(Array.isArray(result)).toBe(true);
    return (result as readonly GraphQLError[]).map((error) => ({
      message: error.message,
      extensions: error.extensions,
    }));
  };

  it.each([true, false])(
    "is OPERATION_RESOLUTION_FAILURE with graphql-js's message, as over HTTP (store of validated documents: %s)",
    (withStore) => {
      const operation = rules(withStore);
      // Twice each: the second finds the document stored, and picks its operation all the same.
      for (let i = 0; i < 2; i += 1) {
        expect(refusal(prepareOperation(operation, { query: TWO }))).toEqual([
          {
            message: 'Must provide operation name if query contains multiple operations.',
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
          },
        ]);
        expect(refusal(prepareOperation(operation, { query: TWO, operationName: 'Z' }))).toEqual([
          { message: 'Unknown operation named "Z".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
        ]);
        expect(prepared(prepareOperation(operation, { query: TWO, operationName: 'B' })).operationName).toBe(
          'B',
        );
      }
    },
  );
});
