// Issue 8's finding: Apollo Client printed "Cache data may be lost when replacing the summarize field" in four
// ordinary situations, and a named fragment on a union silently returned only `__typename`, because nothing in
// the repository gave frontend teams possibleTypes or typePolicies. A real Apollo Client 4 (HttpLink and
// graphql-ws) against the subgraph with fake providers: each situation with the client kit (client/) prints
// nothing, and the same situation with a bare InMemoryCache prints the warning.
//
// Apollo Client warns once per `Type.field` per process, so each test runs the kit first (a warning there would
// be the first of its kind, and printed) and the bare cache second (proving the situation does warn).
import '../support/apollo-dev-mode'; // before @apollo/client loads: its warnings exist in development mode only
import { gql } from '@apollo/client';
import type { TypedDocumentNode } from '@apollo/client';
import { isObjectType, isUnionType, buildSchema as schemaFromSdl, getNamedType } from 'graphql';
import { apolloClientFor, cacheDataLoss, warningsDuring } from '../support/apollo-client';
import type { ApolloTestClient } from '../support/apollo-client';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { gql as httpGql } from '../support/subgraph';
import { possibleTypes, typePolicies } from '../../client';

jest.setTimeout(60_000);

type Run = 'kit' | 'bare';
const RUNS: readonly Run[] = ['kit', 'bare'];

const SUMMARIZE: TypedDocumentNode<{ summarize: { __typename: string; text?: string } }> = gql`
  query KitSummarize($input: SummarizeInput!) {
    summarize(input: $input) {
      __typename
      ... on Summary {
        text
      }
      ... on DegradedSummary {
        text
        reason
        message
      }
      ... on AIUnavailable {
        reason
        message
      }
    }
  }
`;

const ASK: TypedDocumentNode<{ ask: { __typename: string } }> = gql`
  query KitAsk($input: AskInput!) {
    ask(input: $input) {
      __typename
      ... on Answer {
        text
        citations {
          chunkId
        }
      }
      ... on DegradedAnswer {
        passages {
          chunkId
        }
        reason
        message
      }
      ... on AIUnavailable {
        reason
        message
      }
    }
  }
`;

const ASK_STREAM: TypedDocumentNode<{ askStream: { __typename: string } }> = gql`
  subscription KitAskStream($input: AskInput!) {
    askStream(input: $input) {
      __typename
      ... on AnswerDelta {
        text
        index
      }
      ... on StreamNotice {
        reason
        message
        restart
      }
      ... on AskCompleted {
        result {
          __typename
          ... on Answer {
            text
          }
        }
      }
    }
  }
`;

type UsageA = {
  usage: { tenantId: string; spendUsdToday: number; byFeature: { feature: string; requests: number }[] };
};
const USAGE_SPEND: TypedDocumentNode<UsageA> = gql`
  query KitUsageSpend {
    usage {
      tenantId
      spendUsdToday
      byFeature {
        feature
        requests
      }
    }
  }
`;

const USAGE_COUNTS: TypedDocumentNode<{ usage: { tenantId: string; requestsToday: number } }> = gql`
  query KitUsageCounts {
    usage {
      tenantId
      requestsToday
      byFeature {
        feature
        cacheHits
      }
    }
  }
`;

const USAGE_WITHOUT_KEY: TypedDocumentNode<{ usage: { spendUsdToday: number; requestsToday: number } }> = gql`
  query KitUsageWithoutKey {
    usage {
      spendUsdToday
      requestsToday
    }
  }
`;

const SUMMARIZE_WITH_FRAGMENT: TypedDocumentNode<{ summarize: Record<string, unknown> }> = gql`
  fragment KitSummaryFields on SummarizeResult {
    ... on Summary {
      text
    }
    ... on DegradedSummary {
      text
      reason
      message
    }
    ... on AIUnavailable {
      reason
      message
    }
  }
  query KitSummarizeFragment($input: SummarizeInput!) {
    summarize(input: $input) {
      ...KitSummaryFields
    }
  }
`;

const OPENAI_CHAT = '/v1/chat/completions';

let harness: Harness;
const clients: ApolloTestClient[] = [];

beforeAll(async () => {
  harness = await startHarness({ providers: ['openai'], env: { ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED } });
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  await harness?.stop();
});

async function apolloAs(tenant: string, run: Run): Promise<ApolloTestClient> {
  const client = apolloClientFor(harness, await harness.token(tenant), { kit: run === 'kit' });
  clients.push(client);
  return client;
}

/** A document whose words a question in `run` finds lexically; each run has its own, so no cache is shared. */
async function ingestFor(tenant: string, run: Run): Promise<void> {
  await harness.as(tenant).ingest({
    id: `albatross-${run}`,
    title: `Albatross ${run}`,
    body: `The wandering albatross ${run} glides for hours without flapping. It nests on remote islands.`,
  });
}

describe('Apollo Client 4 with the client kit: no "Cache data may be lost" in four ordinary situations (issue 8)', () => {
  test('summarize for the same arguments changing union member (AIUnavailable, then Summary) prints no "Cache data may be lost" with the kit, and does without it', async () => {
    const printed: Record<Run, string[]> = { kit: [], bare: [] };
    for (const run of RUNS) {
      const tenant = `kit-summarize-${run}`;
      const apollo = await apolloAs(tenant, run);
      const variables = { input: { documentId: `report-${run}` } };
      printed[run] = await warningsDuring(async () => {
        const before = await apollo.client.query({
          query: SUMMARIZE,
          variables,
          fetchPolicy: 'network-only',
        });
        expect(before.data?.summarize.__typename).toBe('AIUnavailable');
        await harness.as(tenant).ingest({
          id: `report-${run}`,
          title: 'Quarterly report',
          body: 'Revenue grew in every region. The board approved the new warehouse.',
        });
        const after = await apollo.client.query({ query: SUMMARIZE, variables, fetchPolicy: 'network-only' });
        expect(after.data?.summarize.__typename).toBe('Summary');
        expect(after.data?.summarize.text).toEqual(expect.any(String));
      });
    }
    expect(cacheDataLoss(printed.kit)).toEqual([]);
    expect(cacheDataLoss(printed.bare)).toEqual([
      expect.stringContaining('Cache data may be lost when replacing the summarize field of a Query object'),
    ]);
  });

  test('ask for the same arguments changing union member (DegradedAnswer while the provider fails, then Answer) prints no "Cache data may be lost" with the kit, and does without it', async () => {
    const printed: Record<Run, string[]> = { kit: [], bare: [] };
    for (const run of RUNS) {
      const tenant = `kit-ask-${run}`;
      await ingestFor(tenant, run);
      const apollo = await apolloAs(tenant, run);
      const variables = { input: { question: `How does the wandering albatross ${run} glide?` } };
      printed[run] = await warningsDuring(async () => {
        harness.providers.openai.faults.always({ kind: 'status', status: 500 });
        const degraded = await apollo.client.query({ query: ASK, variables, fetchPolicy: 'network-only' });
        expect(degraded.data?.ask.__typename).toBe('DegradedAnswer');
        harness.providers.openai.faults.clear();
        const full = await apollo.client.query({ query: ASK, variables, fetchPolicy: 'network-only' });
        expect(full.data?.ask.__typename).toBe('Answer');
      });
    }
    expect(cacheDataLoss(printed.kit)).toEqual([]);
    expect(cacheDataLoss(printed.bare)).toEqual([
      expect.stringContaining('Cache data may be lost when replacing the ask field of a Query object'),
    ]);
  });

  test('askStream events changing type (AnswerDelta, then AskCompleted) print no "Cache data may be lost" with the kit, and do without it', async () => {
    const printed: Record<Run, string[]> = { kit: [], bare: [] };
    for (const run of RUNS) {
      const tenant = `kit-stream-${run}`;
      await ingestFor(tenant, run);
      const apollo = await apolloAs(tenant, run);
      const requestsBefore = harness.providers.openai.requestCount(OPENAI_CHAT);
      printed[run] = await warningsDuring(async () => {
        const events = await apollo.subscribeAll(ASK_STREAM, {
          input: { question: `Where does the wandering albatross ${run} nest?` },
        });
        const types = events.map((event) => event.askStream.__typename);
        expect(types[0]).toBe('AnswerDelta');
        expect(types.at(-1)).toBe('AskCompleted');
      });
      expect(harness.providers.openai.requestCount(OPENAI_CHAT)).toBeGreaterThan(requestsBefore);
    }
    expect(cacheDataLoss(printed.kit)).toEqual([]);
    expect(cacheDataLoss(printed.bare)).toEqual([
      expect.stringContaining(
        'Cache data may be lost when replacing the askStream field of a Subscription object',
      ),
    ]);
  });

  test('usage selected by two queries with different fields prints no "Cache data may be lost" with the kit (both stay complete in the cache), and does without it', async () => {
    const printed: Record<Run, string[]> = { kit: [], bare: [] };
    for (const run of RUNS) {
      const tenant = `kit-usage-${run}`;
      await harness.as(tenant).search('albatross');
      const apollo = await apolloAs(tenant, run);
      printed[run] = await warningsDuring(async () => {
        await apollo.client.query({ query: USAGE_SPEND, fetchPolicy: 'network-only' });
        const counts = await apollo.client.query({ query: USAGE_COUNTS, fetchPolicy: 'network-only' });
        expect(counts.data?.usage).toMatchObject({ tenantId: tenant, requestsToday: 1 });
      });
      if (run === 'kit') {
        // One TenantUsage entity holds both selections: the first query still reads in full from the cache.
        expect(apollo.cache.readQuery({ query: USAGE_SPEND })).toEqual({
          usage: {
            __typename: 'TenantUsage',
            tenantId: tenant,
            spendUsdToday: 0,
            byFeature: [{ __typename: 'FeatureUsage', feature: 'search', requests: 1 }],
          },
        });
      }
    }
    expect(cacheDataLoss(printed.kit)).toEqual([]);
    expect(cacheDataLoss(printed.bare)).toEqual([
      expect.stringContaining('Cache data may be lost when replacing the usage field of a Query object'),
    ]);
  });

  // Finding (outside review, Apollo Client 4): with the kit, a valid query selecting usage without tenantId threw
  // "Missing field 'tenantId' while extracting keyFields"; without the kit it answered.
  test('usage selected without tenantId answers with the kit, and merges with a later selection', async () => {
    const tenant = 'kit-usage-unkeyed';
    await harness.as(tenant).search('albatross');
    const apollo = await apolloAs(tenant, 'kit');
    const unkeyed = await apollo.client.query({ query: USAGE_WITHOUT_KEY, fetchPolicy: 'network-only' });
    expect(unkeyed.data?.usage).toMatchObject({ requestsToday: 1, spendUsdToday: 0 });
    await apollo.client.query({ query: USAGE_COUNTS, fetchPolicy: 'network-only' });
    expect(apollo.cache.readQuery({ query: USAGE_WITHOUT_KEY })).toEqual({
      usage: { __typename: 'TenantUsage', spendUsdToday: 0, requestsToday: 1 },
    });
  });
});

describe('Apollo Client 4 with the client kit: named fragments on unions (issue 8)', () => {
  test("a named fragment on the SummarizeResult union returns its member's fields with the kit's possibleTypes, and only __typename without them", async () => {
    const tenant = 'kit-fragment';
    await harness.as(tenant).ingest({
      id: 'memo',
      title: 'Memo',
      body: 'The cafeteria opens at eight. Lunch is served until two.',
    });
    const variables = { input: { documentId: 'memo' } };
    const results: Record<Run, Record<string, unknown> | undefined> = { kit: undefined, bare: undefined };
    const printed: Record<Run, string[]> = { kit: [], bare: [] };
    for (const run of RUNS) {
      const apollo = await apolloAs(tenant, run);
      printed[run] = await warningsDuring(async () => {
        const result = await apollo.client.query({ query: SUMMARIZE_WITH_FRAGMENT, variables });
        results[run] = result.data?.summarize;
      });
    }
    expect(results.kit).toEqual({ __typename: 'Summary', text: expect.stringMatching(/\S/) });
    expect(printed.kit).toEqual([]);
    expect(results.bare).toEqual({ __typename: 'Summary' });
    expect(printed.bare).toEqual([expect.stringContaining('Cannot match fragment `KitSummaryFields`')]);
  });

  test("the kit's possibleTypes name every union of the served schema with its members, and its typePolicies replace every field returning one", async () => {
    const served = await httpGql<{ _service: { sdl: string } }>(harness.url, '{ _service { sdl } }', {
      token: await harness.token('kit-schema'),
    });
    const sdl = served.body.data?._service.sdl ?? '';
    // The federation directives the SDL uses are declared by the router, not in it; only types matter here.
    const schema = schemaFromSdl(sdl, { assumeValid: true, assumeValidSDL: true });
    // `_Entity` is the router's to query; a client of the supergraph never sees it.
    const unions = Object.values(schema.getTypeMap())
      .filter(isUnionType)
      .filter((union) => !union.name.startsWith('_'));
    expect(unions.length).toBeGreaterThan(0);
    expect(possibleTypes).toEqual(
      Object.fromEntries(
        unions.map((union) => [
          union.name,
          union
            .getTypes()
            .map((t) => t.name)
            .sort(),
        ]),
      ),
    );
    const unionFields = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .filter((type) => !type.name.startsWith('__'))
      .flatMap((type) =>
        Object.values(type.getFields())
          .filter((field) => !field.name.startsWith('_') && isUnionType(getNamedType(field.type)))
          .map((field) => [type.name, field.name] as const),
      );
    expect(unionFields.length).toBeGreaterThanOrEqual(8);
    for (const [type, field] of unionFields) {
      expect([type, field, typePolicies[type]?.fields?.[field]]).toEqual([type, field, { merge: false }]);
    }
    const keyFields = typePolicies.TenantUsage?.keyFields as (object: Record<string, unknown>) => unknown;
    expect(keyFields({ __typename: 'TenantUsage', tenantId: 'acme' })).toEqual(['tenantId']);
    expect(keyFields({ __typename: 'TenantUsage', requestsToday: 1 })).toBe(false);
  });
});
