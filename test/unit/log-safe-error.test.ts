// logSafeError: what a log line keeps of an error. Real database errors (PGlite, the same server code as
// PostgreSQL) keep their SQLSTATE and the schema objects they name, and their message only where the message
// cannot quote a value; nothing else the driver hangs on them (query, params, detail, where) is kept.
import { PGlite } from '@electric-sql/pglite';
import { GraphQLError } from 'graphql';
import { logSafeError, REDACTED_MESSAGE } from '../../subgraph/observability/log-safe-error';

const SECRET = 'tenantsecret42';

describe('logSafeError', () => {
  let db: PGlite;

  beforeAll(async () => {
    db = await PGlite.create();
  });

  afterAll(async () => {
    await db.close();
  });

  async function databaseError(sql: string, params: unknown[]): Promise<unknown> {
    try {
      await db.query(sql, params);
    } catch (error) {
      return error;
    }
    throw new Error(`expected ${sql} to fail`);
  }

  it.each([
    ['22P02, a cast quoting its input', 'SELECT $1::int', [SECRET]],
    ['42601, a tsquery syntax error quoting the query', "SELECT to_tsquery('simple', $1)", [`${SECRET} & &`]],
    [
      'P0001, an exception raised with a value',
      "DO $$ BEGIN RAISE EXCEPTION 'x %', 'tenantsecret42'; END $$",
      [],
    ],
  ])('redacts the message of %s, keeping the code and routine', async (_name, sql, params) => {
    const error = await databaseError(sql, params);
    expect(String((error as Error).message) + JSON.stringify(error)).toContain(SECRET);
    const logged = logSafeError(error);
    expect(logged.message).toBe(REDACTED_MESSAGE);
    expect(logged.code).toMatch(/^[0-9A-Z]{5}$/);
    expect(logged.routine).toEqual(expect.any(String));
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it('keeps the message of an error naming only schema objects (42P01), but never the query or params', async () => {
    const error = await databaseError('SELECT * FROM no_such_table WHERE note = $1', [SECRET]);
    expect(error).toMatchObject({ params: [SECRET] });
    const logged = logSafeError(error);
    expect(logged).toMatchObject({ code: '42P01', message: 'relation "no_such_table" does not exist' });
    expect(Object.keys(logged).sort()).toEqual(['code', 'message', 'routine', 'severity', 'type']);
  });

  it('redacts what JSON.parse quotes of the text it failed on', () => {
    let thrown: unknown;
    try {
      JSON.parse(`{"answer": "${SECRET}`);
    } catch (error) {
      thrown = error;
    }
    const logged = logSafeError(thrown);
    expect(logged).toEqual({ type: 'SyntaxError', message: REDACTED_MESSAGE });
  });

  it("keeps a plain error's type, message, stack and code, drops its other fields, and follows causes", () => {
    const cause = Object.assign(new Error('reply refused'), {
      command: { name: 'set', args: ['k', SECRET] },
    });
    const error = Object.assign(new Error('cache write failed', { cause }), { code: 'ECACHE', body: SECRET });
    const logged = logSafeError(new AggregateError([error], 'all writes failed'));
    expect(logged).toMatchObject({
      type: 'AggregateError',
      message: 'all writes failed',
      errors: [
        {
          type: 'Error',
          message: 'cache write failed',
          code: 'ECACHE',
          stack: expect.stringContaining('cache write failed'),
          cause: { type: 'Error', message: 'reply refused' },
        },
      ],
    });
    expect(JSON.stringify(logged)).not.toContain(SECRET);
  });

  it("redacts graphql-js's messages that quote a refused or unserializable value, and keeps the others", () => {
    const refused = new GraphQLError(
      `Variable "$input" got invalid value { text: "${SECRET}" }; Field "x" is not defined.`,
    );
    const unserializable = new GraphQLError(`String cannot represent value: { body: "${SECRET}" }`);
    const nonInteger = new GraphQLError(`Int cannot represent non-integer value: "${SECRET}"`);
    for (const error of [refused, unserializable, nonInteger]) {
      const logged = logSafeError(error);
      expect(logged.message).toBe(REDACTED_MESSAGE);
      expect(JSON.stringify(logged)).not.toContain(SECRET);
    }
    const nullField = new GraphQLError('Cannot return null for non-nullable field Query.usage.');
    expect(logSafeError(nullField).message).toBe('Cannot return null for non-nullable field Query.usage.');
  });

  it('runs a kept message and stack through the PII redactor', () => {
    const logged = logSafeError(new Error('no tenant for owner jane.doe@example.com'));
    expect(logged.message).toBe('no tenant for owner [EMAIL]');
    expect(logged.stack).toMatch(/^Error: no tenant for owner \[EMAIL\]\n/);
  });

  it('redacts a thrown value that is not an Error: it could be anything', () => {
    expect(logSafeError(`failed on ${SECRET}`)).toEqual({ type: 'string', message: REDACTED_MESSAGE });
  });
});
