// maskError: errors raised on purpose reach the client as they are (InputError as BAD_USER_INPUT naming its
// field); anything else is a bug: logged, masked to INTERNAL_SERVER_ERROR with nothing of its own.
// Driven through real GraphQL execution, so the errors are wrapped exactly as a resolver's errors are.
import { Writable } from 'node:stream';
import { buildSchema, graphql, GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { forbiddenError, unauthenticatedError } from '../../subgraph/errors/graphql-errors';
import { InputError } from '../../subgraph/errors/input-error';
import { maskError } from '../../subgraph/graphql/mask-error';
import { createLogger } from '../../subgraph/observability/logger';

const schema = buildSchema('type Query { field: String }');

/** A logger whose JSON lines the test reads back. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('error', destination), lines };
}

/** Runs `{ field }` with a resolver that throws `thrown`, and formats the one error as the server would. */
async function formatThrown(thrown: unknown) {
  const { logger, lines } = capturingLogger();
  const result = await graphql({
    schema,
    source: '{ field }',
    rootValue: {
      field: () => {
        throw thrown;
      },
    },
  });
  const error = result.errors?.[0];
  if (!error) throw new Error('the resolver did not fail');
  const formatted = maskError(logger)(error.toJSON(), error);
  // pino writes asynchronously to a stream destination; let it flush.
  await new Promise((resolve) => setImmediate(resolve));
  return { formatted, lines };
}

describe('maskError', () => {
  it('turns an InputError into BAD_USER_INPUT naming the field, with its message, path and locations', async () => {
    const { formatted, lines } = await formatThrown(new InputError('input.question', 'must not be empty'));
    expect(formatted).toEqual({
      message: 'input.question: must not be empty',
      path: ['field'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'BAD_USER_INPUT', field: 'input.question' },
    });
    expect(lines).toEqual([]);
  });

  it.each([
    ['UNAUTHENTICATED', unauthenticatedError()],
    ['FORBIDDEN', forbiddenError('Query.usage')],
  ])('passes the intentional %s error through unchanged', async (code, thrown) => {
    const { formatted, lines } = await formatThrown(thrown);
    expect(formatted).toMatchObject({ message: thrown.message, path: ['field'], extensions: { code } });
    expect(lines).toEqual([]);
  });

  // Written out here, not imported: a code dropped from the source's list must fail this test.
  const passThrough = `UNAUTHENTICATED FORBIDDEN BAD_USER_INPUT BAD_REQUEST GRAPHQL_PARSE_FAILED
    GRAPHQL_VALIDATION_FAILED OPERATION_RESOLUTION_FAILURE PERSISTED_QUERY_NOT_FOUND
    PERSISTED_QUERY_NOT_SUPPORTED`.split(/\s+/);
  it.each(passThrough)('returns a formatted %s error as it is', (code) => {
    const { logger, lines } = capturingLogger();
    const formatted: GraphQLFormattedError = {
      message: `a ${code} error`,
      locations: [{ line: 2, column: 5 }],
      extensions: { code, detail: 'kept' },
    };
    expect(maskError(logger)(formatted, new GraphQLError(formatted.message))).toBe(formatted);
    expect(lines).toEqual([]);
  });

  it('masks an unexpected error to INTERNAL_SERVER_ERROR, keeping only the path, and logs the original type and message', async () => {
    const bug = new TypeError(
      "Cannot read properties of undefined (reading 'tenantId') at /srv/secret/path.ts",
    );
    const { formatted, lines } = await formatThrown(bug);
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(formatted)).not.toContain('secret');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'unexpected error masked',
      path: ['field'],
      err: { type: 'TypeError', message: bug.message },
    });
  });

  it('masks a GraphQLError thrown with a code not meant for clients', async () => {
    const thrown = new GraphQLError('database pool exhausted on db-3', {
      extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' },
    });
    const { formatted, lines } = await formatThrown(thrown);
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(lines).toHaveLength(1);
  });

  it('masks an error with no code at all, such as a thrown string', async () => {
    const { formatted, lines } = await formatThrown('plain string failure');
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['field'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(lines).toHaveLength(1);
  });
});
