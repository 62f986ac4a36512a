// Access rules: @authenticated and @requiresScopes read from the schema itself, enforced by wrapping each guarded
// field's resolver (and subscribe) once: no tenant is UNAUTHENTICATED, a tenant without a required scope set is
// FORBIDDEN naming the field, a type's rule covers its fields unless a field has its own, unguarded fields stay
// public. Driven through real GraphQL execution against a small schema, and read from the subgraph's own SDL.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildSchema, execute, parse, subscribe } from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { TenantContext } from '../../subgraph/auth/tenant-context';
import { readSchemaSdl } from '../../subgraph/graphql/build-schema';
import { applyAccessRules, holdsScopes } from '../../subgraph/graphql/access-rules';
import { DEFAULT_TENANT_POLICY } from '../../subgraph/tenancy/tenant-policies';

const SDL = `
  directive @authenticated on FIELD_DEFINITION | OBJECT
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT

  type Query {
    open: String
    signedIn: String @authenticated
    admin: String @requiresScopes(scopes: [["ai:admin"]])
    either: String @requiresScopes(scopes: [["ai:read", "ai:write"], ["ai:admin"]])
    report: Report
  }

  type Report @authenticated {
    title: String
    cost: Float @requiresScopes(scopes: [["ai:billing"]])
  }

  type Subscription {
    ticks: Int @authenticated
  }
`;

const tenant = (...scopes: string[]): TenantContext => ({
  tenantId: 'acme',
  subject: 'user-1',
  scopes: new Set(scopes),
  policy: DEFAULT_TENANT_POLICY,
});

function guardedSchema(): { schema: GraphQLSchema; rules: ReturnType<typeof applyAccessRules> } {
  const schema = buildSchema(SDL);
  const ticks = schema.getSubscriptionType()?.getFields().ticks;
  if (!ticks) throw new Error('no ticks field');
  ticks.subscribe = async function* () {
    yield { ticks: 1 };
  };
  return { schema, rules: applyAccessRules(schema) };
}

const ROOT = {
  open: 'open',
  signedIn: 'signed in',
  admin: 'admin',
  either: 'either',
  report: { title: 'Q3', cost: 12.5 },
};

async function run(query: string, who: TenantContext | null) {
  const { schema } = guardedSchema();
  return await execute({
    schema,
    document: parse(query),
    rootValue: ROOT,
    contextValue: { tenant: who },
  });
}

const codesOf = (result: ExecutionResult) => result.errors?.map((error) => error.extensions.code) ?? [];

describe('applyAccessRules', () => {
  it('reads a rule for each guarded field, a type’s rule for its unguarded fields, and none for public ones', () => {
    const { rules } = guardedSchema();
    expect(Object.fromEntries(rules)).toEqual({
      'Query.signedIn': { authenticated: true, scopes: null },
      'Query.admin': { authenticated: true, scopes: [['ai:admin']] },
      'Query.either': { authenticated: true, scopes: [['ai:read', 'ai:write'], ['ai:admin']] },
      'Report.title': { authenticated: true, scopes: null },
      'Report.cost': { authenticated: true, scopes: [['ai:billing']] },
      'Subscription.ticks': { authenticated: true, scopes: null },
    });
  });

  it('leaves an unguarded field public: it resolves with no tenant', async () => {
    expect(await run('{ open }', null)).toEqual({ data: { open: 'open' } });
  });

  it('refuses an @authenticated field without a tenant as UNAUTHENTICATED, and resolves it with one', async () => {
    const refused = await run('{ signedIn }', null);
    expect(refused.data).toEqual({ signedIn: null });
    expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);
    expect(await run('{ signedIn }', tenant())).toEqual({ data: { signedIn: 'signed in' } });
  });

  it('refuses a @requiresScopes field without a tenant as UNAUTHENTICATED, not FORBIDDEN', async () => {
    expect(codesOf(await run('{ admin }', null))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a @requiresScopes field to a tenant lacking the scope as FORBIDDEN naming the field', async () => {
    const refused = await run('{ admin }', tenant('ai:ingest'));
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors?.[0]?.message).toContain('Query.admin');
    expect(await run('{ admin }', tenant('ai:admin', 'ai:ingest'))).toEqual({ data: { admin: 'admin' } });
  });

  it.each([
    [['ai:read', 'ai:write'], true],
    [['ai:admin'], true],
    [['ai:read', 'ai:write', 'ai:admin'], true],
    [['ai:read'], false],
    [['ai:write'], false],
    [[], false],
  ])(
    'any one inner list of @requiresScopes held in full passes: scopes %j -> %s',
    async (scopes, allowed) => {
      const result = await run('{ either }', tenant(...scopes));
      if (allowed) expect(result).toEqual({ data: { either: 'either' } });
      else expect(codesOf(result)).toEqual(['FORBIDDEN']);
    },
  );

  it('guards an object type’s fields by its rule, and a field’s own rule replaces the type’s', async () => {
    expect(codesOf(await run('{ report { title } }', null))).toEqual(['UNAUTHENTICATED']);
    expect(await run('{ report { title } }', tenant())).toEqual({ data: { report: { title: 'Q3' } } });
    const noBilling = await run('{ report { title cost } }', tenant());
    expect(noBilling.data).toEqual({ report: { title: 'Q3', cost: null } });
    expect(codesOf(noBilling)).toEqual(['FORBIDDEN']);
    expect(await run('{ report { cost } }', tenant('ai:billing'))).toEqual({
      data: { report: { cost: 12.5 } },
    });
  });

  it('guards a subscription before it starts, and lets it run for a tenant', async () => {
    const { schema } = guardedSchema();
    const document = parse('subscription { ticks }');
    const refused = (await subscribe({
      schema,
      document,
      contextValue: { tenant: null },
    })) as ExecutionResult;
    expect(codesOf(refused)).toEqual(['UNAUTHENTICATED']);

    const stream = await subscribe({ schema, document, contextValue: { tenant: tenant() } });
    if (!(Symbol.asyncIterator in stream)) throw new Error(`refused: ${JSON.stringify(stream)}`);
    const first = await stream.next();
    expect(first.value).toEqual({ data: { ticks: 1 } });
    await stream.return?.();
  });

  it('reads the subgraph’s own schema: reads are @authenticated, usage and aiSamples need ai:admin, writes need ai:ingest', () => {
    const rules = applyAccessRules(buildSubgraphSchema({ typeDefs: parse(readSchemaSdl()) }));
    const authenticated = { authenticated: true, scopes: null };
    expect(rules.get('Query.summarize')).toEqual(authenticated);
    expect(rules.get('Query.search')).toEqual(authenticated);
    expect(rules.get('Query.ask')).toEqual(authenticated);
    expect(rules.get('Subscription.askStream')).toEqual(authenticated);
    expect(rules.get('Subscription.summarizeStream')).toEqual(authenticated);
    expect(rules.get('Query.usage')).toEqual({ authenticated: true, scopes: [['ai:admin']] });
    expect(rules.get('Query.aiSamples')).toEqual({ authenticated: true, scopes: [['ai:admin']] });
    expect(rules.get('Mutation.ingestDocument')).toEqual({ authenticated: true, scopes: [['ai:ingest']] });
    expect(rules.get('Mutation.deleteDocument')).toEqual({ authenticated: true, scopes: [['ai:ingest']] });
  });
});

describe('holdsScopes', () => {
  it('passes when every scope of at least one inner list is held', () => {
    expect(holdsScopes(tenant('a', 'b'), [['a', 'b']])).toBe(true);
    expect(holdsScopes(tenant('c'), [['a', 'b'], ['c']])).toBe(true);
    expect(holdsScopes(tenant('a'), [['a', 'b']])).toBe(false);
    expect(holdsScopes(tenant(), [['a']])).toBe(false);
  });

  it('passes an empty inner list (nothing required) and refuses an empty outer list (no way to qualify)', () => {
    expect(holdsScopes(tenant(), [[]])).toBe(true);
    expect(holdsScopes(tenant('a'), [])).toBe(false);
  });
});
