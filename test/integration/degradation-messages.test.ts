// Issue 8's finding: a degraded result said only an enum, and the DegradationReason values had no
// descriptions, so every frontend wrote its own wording for each. Now the served SDL describes every value,
// and DegradedSummary, DegradedSearchResults and DegradedAnswer carry a `message` in words, over HTTP and in
// a stream's completed result alike.
import { Kind, parse } from 'graphql';
import type { EnumTypeDefinitionNode } from 'graphql';
import { CIRCUITS_STAY_CLOSED, FAST_RETRIES, startHarness } from '../support/harness';
import type { Harness } from '../support/harness';
import { gql } from '../support/subgraph';

jest.setTimeout(60_000);

const CONTRACT_REASONS = [
  'PROVIDER_ERROR',
  'PROVIDER_TIMEOUT',
  'CIRCUIT_OPEN',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'LIMITS_UNAVAILABLE',
  'GUARDRAIL_REJECTED',
  'NO_PROVIDER_CONFIGURED',
  'PROVIDER_NOT_ALLOWED',
  'SEMANTIC_UNAVAILABLE',
  'INSUFFICIENT_CONTEXT',
  'NOT_FOUND',
];

type Degraded = { __typename: string; reason?: string; message?: string };

const SUMMARIZE = `query($input: SummarizeInput!) {
  summarize(input: $input) { __typename ... on DegradedSummary { reason message } }
}`;
const SEARCH = `query($input: SearchInput!) {
  search(input: $input) { __typename ... on DegradedSearchResults { reason message } }
}`;
const ASK = `query($input: AskInput!) {
  ask(input: $input) { __typename ... on DegradedAnswer { reason message } }
}`;
const SUMMARIZE_STREAM = `subscription($input: SummarizeInput!) {
  summarizeStream(input: $input) {
    __typename
    ... on SummarizeCompleted { result { __typename ... on DegradedSummary { reason message } } }
  }
}`;

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ providers: ['openai'], env: { ...FAST_RETRIES, ...CIRCUITS_STAY_CLOSED } });
});

afterAll(() => harness?.stop());

describe('degraded results say why in words (issue 8)', () => {
  test('every DegradationReason value has a description in the served SDL', async () => {
    const served = await gql<{ _service: { sdl: string } }>(harness.url, '{ _service { sdl } }', {
      token: await harness.token('messages-sdl'),
    });
    const enumType = parse(served.body.data?._service.sdl ?? '').definitions.find(
      (definition): definition is EnumTypeDefinitionNode =>
        definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'DegradationReason',
    );
    const described = (enumType?.values ?? []).map((value) => [
      value.name.value,
      value.description?.value.trim() ?? '',
    ]);
    expect(described.map(([name]) => name)).toEqual(expect.arrayContaining(CONTRACT_REASONS));
    for (const [name, description] of described) {
      expect([name, description]).toEqual([name, expect.stringMatching(/^[A-Z].{15,}\.$/)]);
    }
  });

  test('DegradedSummary, DegradedSearchResults and DegradedAnswer each carry a non-empty message saying why and what is shown instead', async () => {
    const client = harness.as('messages-co');
    await client.ingest({
      id: 'lighthouse',
      title: 'Lighthouse keeping',
      body: 'The lighthouse keeper trims the wick at dusk. The lamp is cleaned every morning.',
    });
    harness.providers.openai.faults.always({ kind: 'status', status: 500 });

    const summary = await client.data<{ summarize: Degraded }>(SUMMARIZE, {
      input: { text: 'The lighthouse keeper trims the wick at dusk. The lamp is cleaned every morning.' },
    });
    const answer = await client.data<{ ask: Degraded }>(ASK, {
      input: { question: 'When does the lighthouse keeper trim the wick?' },
    });
    const search = await client.data<{ search: Degraded }>(SEARCH, { input: { query: 'lighthouse wick' } });

    expect(summary.summarize).toEqual({
      __typename: 'DegradedSummary',
      reason: 'PROVIDER_ERROR',
      message:
        'The model provider returned an error; this is an extractive summary of the text’s own sentences.',
    });
    expect(answer.ask).toEqual({
      __typename: 'DegradedAnswer',
      reason: 'PROVIDER_ERROR',
      message:
        'The model provider returned an error; these are the most relevant passages instead of a generated answer.',
    });
    expect(search.search).toEqual({
      __typename: 'DegradedSearchResults',
      reason: 'SEMANTIC_UNAVAILABLE',
      message: 'Semantic search is not available; these results are ranked by keywords only.',
    });
  });

  test("a summarizeStream's completed DegradedSummary carries the same message", async () => {
    const client = harness.as('messages-stream-co');
    harness.providers.openai.faults.always({ kind: 'status', status: 500 });
    const outcome = await client.subscribe<{ summarizeStream: { __typename: string; result?: Degraded } }>(
      SUMMARIZE_STREAM,
      { input: { text: 'Gulls circle the harbour at noon. The ferry leaves at one.' } },
    );
    if (outcome.kind !== 'results') throw new Error(`socket closed: ${outcome.code} ${outcome.reason}`);
    const completed = outcome.results.at(-1)?.data?.summarizeStream;
    expect(completed).toEqual({
      __typename: 'SummarizeCompleted',
      result: {
        __typename: 'DegradedSummary',
        reason: 'PROVIDER_ERROR',
        message:
          'The model provider returned an error; this is an extractive summary of the text’s own sentences.',
      },
    });
  });
});
