// How big an operation may be: graphql-js parses and several validation rules walk fragments recursively, so
// an operation of unbounded size could exhaust the stack. Parsing stops at MAX_QUERY_TOKENS instead, on HTTP
// and graphql-ws alike: such an operation is a clear GRAPHQL_PARSE_FAILED naming the bound, never the
// engine's own "Maximum call stack size exceeded", and the server, and the socket it came on, carry on. The
// outside test found a 20k-deep fragment chain closing the WebSocket with that raw text.
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { openWsConnection } from '../support/ws-client';
import type { WsConnection } from '../support/ws-client';

/** `{ ...F0 }` where each fragment spreads the next, `depth` fragments deep. */
function fragmentChain(operation: 'query' | 'subscription', depth: number): string {
  const type = operation === 'query' ? 'Query' : 'Subscription';
  const fragments = Array.from({ length: depth }, (_, i) =>
    i + 1 < depth ? `fragment F${i} on ${type} { ...F${i + 1} }` : `fragment F${i} on ${type} { __typename }`,
  );
  return `${operation} { ...F0 }\n${fragments.join('\n')}`;
}

/** Selection sets nested `depth` deep. */
const deepNesting = (depth: number) => `{ ${'a { '.repeat(depth)}b${' }'.repeat(depth)} }`;

// graphql-js's own wording (its typo included), which names the bound.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] \d+ tokens\. Parsing aborted\.$/;

describe.each([
  ['the default bound', 2_000, {}],
  ['MAX_QUERY_TOKENS at its ceiling', 3_000, { MAX_QUERY_TOKENS: '3000' }],
] as const)('operation size, with %s', (_name, maxTokens, env) => {
  let harness: Harness;
  let connection: WsConnection;

  beforeAll(async () => {
    harness = await startHarness({ env });
    connection = openWsConnection(harness.wsUrl, {
      authorization: `Bearer ${await harness.token('operation-size-co')}`,
    });
  });
  afterAll(async () => {
    await connection?.dispose();
    await harness?.stop();
  });

  const expectServedStill = async () => {
    expect((await harness.as('operation-size-co').request('{ __typename }')).body).toEqual({
      data: { __typename: 'Query' },
    });
    expect(await connection.run('query { __typename }')).toEqual({
      kind: 'results',
      results: [{ data: { __typename: 'Query' } }],
    });
  };

  it('refuses a 20k-deep fragment chain over graphql-ws as GRAPHQL_PARSE_FAILED, and the socket stays open (a 20k-deep fragment chain closed the WebSocket with the raw text "Maximum call stack size exceeded")', async () => {
    const outcome = await connection.run(fragmentChain('subscription', 20_000));
    expect(outcome).toMatchObject({
      kind: 'results',
      results: [
        {
          errors: [
            {
              message: expect.stringMatching(TOKEN_LIMIT) as unknown,
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            },
          ],
        },
      ],
    });
    expect(JSON.stringify(outcome)).not.toMatch(/call stack/i);
    await expectServedStill();
  });

  it('refuses a 20k-deep fragment chain over HTTP with 400 GRAPHQL_PARSE_FAILED, not a masked 500', async () => {
    const response = await harness.as('operation-size-co').request(fragmentChain('query', 20_000));
    expect(response.status).toBe(400);
    expect(response.body.errors).toMatchObject([
      {
        message: expect.stringMatching(TOKEN_LIMIT) as unknown,
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
    await expectServedStill();
  });

  it('refuses selection sets nested 20k deep over HTTP and graphql-ws without the engine text', async () => {
    const response = await harness.as('operation-size-co').request(deepNesting(20_000));
    expect(response.status).toBe(400);
    expect(response.body.errors).toMatchObject([
      {
        message: expect.stringMatching(TOKEN_LIMIT) as unknown,
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
    const outcome = await connection.run(deepNesting(20_000));
    expect(outcome).toMatchObject({
      results: [{ errors: [{ message: expect.stringMatching(TOKEN_LIMIT) as unknown }] }],
    });
    expect(JSON.stringify(outcome)).not.toMatch(/call stack/i);
    await expectServedStill();
  });

  it('walks the deepest operations the bound admits without exhausting the stack: their validation answers', async () => {
    // 8 tokens a fragment, 3 a nesting level: each just inside the bound, and each past the cost or depth limit.
    for (const operation of [
      fragmentChain('query', Math.floor(maxTokens / 8) - 2),
      deepNesting(Math.floor(maxTokens / 3) - 2),
    ]) {
      const response = await harness.as('operation-size-co').request(operation);
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(response.body)).not.toMatch(/call stack/i);
    }
  });

  it('answers a syntax error over graphql-ws as GRAPHQL_PARSE_FAILED for that operation, not by closing the socket', async () => {
    expect(await connection.run('query { __typename ')).toEqual({
      kind: 'results',
      results: [
        {
          errors: [
            {
              message: 'Syntax Error: Expected Name, found <EOF>.',
              locations: [{ line: 1, column: 20 }],
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            },
          ],
        },
      ],
    });
    await expectServedStill();
  });
});
