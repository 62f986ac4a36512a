// Tenant text never reaches a log line, even when a real database error carries it: PGlite hangs the statement's
// `query` and `params` (a whole document body) on its errors, and both drivers quote the failing row in
// `detail`. Provoked through the public API over HTTP and graphql-ws, on both stores, reading every line the
// subgraph's logger wrote.
import { randomBytes } from 'node:crypto';
import { startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { capturingLogger } from '../support/logs';
import { ASK_STREAM, INGEST, SEARCH, SUMMARIZE_STREAM } from '../support/operations';
import { BACKENDS } from '../support/stores';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

interface LoggedLine {
  msg?: string;
  err?: Record<string, unknown>;
}

/** A word no log line could hold by chance, so finding it anywhere means tenant text leaked. */
const tenantWord = (label: string): string => `${label}${randomBytes(6).toString('hex')}`;

describe.each(BACKENDS)('log lines on %s', (store) => {
  const { logger, lines } = capturingLogger('info');
  let subgraph: Harness;
  const secrets = {
    id: tenantWord('idword'),
    title: tenantWord('titleword'),
    body: tenantWord('bodyword'),
    query: tenantWord('queryword'),
    question: tenantWord('questionword'),
  };

  beforeAll(async () => {
    subgraph = await startHarness({ providers: ['openai'], store, logger });
  });

  afterAll(async () => {
    await subgraph?.stop();
  });

  /** The superuser's statement on the subgraph's own schema (each harness has its own database or schema). */
  const asOwner = (sql: (schema: string, appRole: string) => string) =>
    subgraph.app.store.db.exec(sql(subgraph.app.config.store.schema, subgraph.app.config.store.appRole));

  /** The lines logged as `msg`, parsed; after a turn of the event loop, so pino has written them. */
  async function logged(msg: string): Promise<LoggedLine[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return lines.map((line) => JSON.parse(line) as LoggedLine).filter((line) => line.msg === msg);
  }

  function expectNoTenantText(): void {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      for (const secret of Object.values(secrets)) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/"(params|query|queryOptions|detail|where|internalQuery)":/);
    }
  }

  it('a database error quoting the document (a trigger refusing the ingest) is logged without tenant text', async () => {
    // A database-side rule that quotes what it refuses: the body in its message, the title in its detail; and
    // PGlite adds the statement's params (id, title, body) besides.
    await asOwner(
      (schema) => `
        CREATE FUNCTION ${schema}.refuse_forbidden() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          IF NEW.body LIKE '%forbidden%' THEN
            RAISE EXCEPTION 'refused body: %', NEW.body USING DETAIL = 'title ' || NEW.title;
          END IF;
          RETURN NEW;
        END $fn$;
        CREATE TRIGGER refuse_forbidden BEFORE INSERT OR UPDATE ON ${schema}.documents
          FOR EACH ROW EXECUTE FUNCTION ${schema}.refuse_forbidden();`,
    );
    const response = await subgraph.as('redaction').request(INGEST, {
      input: { id: secrets.id, title: secrets.title, body: `A forbidden ${secrets.body} paragraph.` },
    });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });

    const masked = await logged('unexpected error masked');
    expect(masked).toHaveLength(1);
    // What an operator needs is still there: a raised exception, from where in the server.
    expect(masked[0]?.err).toMatchObject({ code: 'P0001', routine: 'exec_stmt_raise' });
    expectNoTenantText();
  });

  // Found by a review: graphql-js refuses a variable with a message that quotes the whole value, and graphql-ws,
  // unlike Apollo Server over HTTP, gave it no code, so it was masked as a bug and logged with the caller's text.
  it('a stream whose variables the schema refuses is BAD_USER_INPUT over graphql-ws, and logs no tenant text', async () => {
    const client = subgraph.as('redaction');
    const before = lines.length;
    const outcome = await client.subscribe(SUMMARIZE_STREAM, {
      input: { text: `The ${secrets.body} contract, signed by jane.doe@example.com.`, maxWord: 50 },
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
    const errors = outcome.results.flatMap((result) => result.errors ?? []);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(errors[0]?.message).toMatch(/^Variable "\$input" got invalid value .*"maxWord"/s);
    await new Promise((resolve) => setImmediate(resolve));
    for (const line of lines.slice(before)) {
      expect(line).not.toContain(secrets.body);
      expect(line).not.toContain('jane.doe@example.com');
    }
    expect(lines.slice(before).map((line) => (JSON.parse(line) as LoggedLine).msg)).not.toContain(
      'unexpected error masked',
    );
  });

  it('a database error of a search (its query in the params) is logged without the query, over HTTP and graphql-ws', async () => {
    await asOwner((schema, appRole) => `REVOKE SELECT ON ${schema}.chunks FROM ${appRole}`);
    const client = subgraph.as('redaction');
    const before = (await logged('unexpected error masked')).length;

    const response = await client.request(SEARCH, { input: { query: `${secrets.query} albatross` } });
    expect(response.body.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const outcome = await client.subscribe(ASK_STREAM, {
      input: { question: `Where does the ${secrets.question} fly?` },
    });
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
    expect(outcome.results.flatMap((result) => result.errors ?? [])[0]?.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
    });

    const masked = (await logged('unexpected error masked')).slice(before);
    expect(masked).toHaveLength(2);
    for (const line of masked) expect(line.err).toMatchObject({ code: '42501', message: expect.any(String) });
    expectNoTenantText();
  });
});
