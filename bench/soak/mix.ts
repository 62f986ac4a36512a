// The soak's clients: each loops over a weighted mix of the subgraph's operations as one of several tenants,
// until told to stop, and checks every answer (HTTP 200, no GraphQL error, a result member it expects).
// Inputs are distinct per request (questions, texts, search terms, and half the searches as inline query
// strings, each a new document for Apollo to parse), so every cache sees a stream of new keys.
import {
  ASK,
  ASK_STREAM,
  INGEST,
  SEARCH,
  SEARCH_RESULT,
  SUMMARIZE,
  SUMMARIZE_STREAM,
} from '../../test/support/operations';
import { subscribeOnce } from '../../test/support/ws-client';
import type { CorpusDocument } from '../support/corpus';
import { post } from '../support/subgraph';

export const OPERATIONS = [
  'search (inline query string)',
  'search (variables)',
  'ask',
  'summarize',
  'ingest',
  'askStream',
  'summarizeStream',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Relative weights of the mix, in OPERATIONS order. */
const WEIGHTS: Record<Operation, number> = {
  'search (inline query string)': 25,
  'search (variables)': 15,
  ask: 20,
  summarize: 15,
  ingest: 10,
  askStream: 7.5,
  summarizeStream: 7.5,
};

export interface Tally {
  ok: Record<Operation, number>;
  failed: Record<Operation, number>;
  /** The first few failures, for the report. */
  samples: string[];
}

export interface Target {
  url: string;
  wsUrl: string;
  /** One entry per tenant: its bearer header and the documents it re-ingests. */
  tenants: { headers: Record<string, string>; documents: CorpusDocument[] }[];
}

const WORDS = 'refund invoice latency cache replica policy export metric outage dashboard'.split(' ');
const ANSWERS: Record<string, string[]> = {
  ask: ['Answer', 'DegradedAnswer'],
  summarize: ['Summary', 'DegradedSummary'],
  search: ['SearchResults', 'DegradedSearchResults'],
};

function pick(random: () => number): Operation {
  const total = OPERATIONS.reduce((sum, op) => sum + WEIGHTS[op], 0);
  let roll = random() * total;
  for (const op of OPERATIONS) {
    roll -= WEIGHTS[op];
    if (roll < 0) return op;
  }
  return 'ask';
}

async function checked(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: object,
  field: string,
) {
  const reply = await post(url, headers, JSON.stringify({ query, variables }));
  const result = reply.body.data?.[field];
  const typename = typeof result?.__typename === 'string' ? result.__typename : '';
  const expected = ANSWERS[field];
  if (reply.status !== 200 || reply.body.errors || (expected && !expected.includes(typename)) || !result) {
    throw new Error(`${field}: ${reply.status} ${reply.text.slice(0, 200)}`);
  }
}

async function streamed(target: Target, headers: Record<string, string>, query: string, input: object) {
  const outcome = await subscribeOnce<Record<string, { __typename?: string }>>(target.wsUrl, query, {
    connectionParams: headers,
    variables: { input },
    timeoutMs: 30_000,
  });
  if (outcome.kind !== 'results') throw new Error(`stream closed: ${outcome.code} ${outcome.reason}`);
  const failed = outcome.results.find((result) => result.errors);
  if (failed || outcome.results.length === 0) {
    throw new Error(`stream: ${JSON.stringify(failed?.errors ?? 'no events').slice(0, 200)}`);
  }
}

async function runOne(op: Operation, target: Target, client: number, n: number, random: () => number) {
  const tenant = target.tenants[client % target.tenants.length];
  if (!tenant) throw new Error('no tenants');
  const { headers } = tenant;
  const word = () => WORDS[Math.floor(random() * WORDS.length)] ?? 'refund';
  const tag = `c${client}n${n}`;
  switch (op) {
    case 'search (inline query string)': {
      const query = `{ s_${tag}: search(input: { query: "${word()} ${word()}" }) { ${SEARCH_RESULT} } }`;
      const reply = await post(target.url, headers, JSON.stringify({ query }));
      if (reply.status !== 200 || reply.body.errors || !reply.body.data?.[`s_${tag}`]) {
        throw new Error(`inline search: ${reply.status} ${reply.text.slice(0, 200)}`);
      }
      return;
    }
    case 'search (variables)':
      return checked(
        target.url,
        headers,
        SEARCH,
        { input: { query: `${word()} ${word()} ${tag}` } },
        'search',
      );
    case 'ask':
      return checked(
        target.url,
        headers,
        ASK,
        { input: { question: `How is ${word()} handled (${tag})?` } },
        'ask',
      );
    case 'summarize':
      return checked(
        target.url,
        headers,
        SUMMARIZE,
        {
          input: {
            text: `Note ${tag}: the ${word()} team changed how ${word()} and ${word()} work. `.repeat(8),
          },
        },
        'summarize',
      );
    case 'ingest': {
      const doc = tenant.documents[n % tenant.documents.length];
      if (!doc) throw new Error('no documents');
      // The same ids again and again: the corpus stays the same size, every ingest replaces a document.
      const body = `${doc.body}\n\nRevision ${tag}.`;
      return checked(target.url, headers, INGEST, { input: { ...doc, body } }, 'ingestDocument');
    }
    case 'askStream':
      return streamed(target, headers, ASK_STREAM, { question: `What changed for ${word()} (${tag})?` });
    case 'summarizeStream':
      return streamed(target, headers, SUMMARIZE_STREAM, {
        text: `Stream ${tag}: ${word()} ${word()}. `.repeat(10),
      });
    default:
      throw new Error(`unknown operation ${String(op satisfies never)}`);
  }
}

/** Ingests every tenant's documents, so that questions find passages from the first request on. */
export async function seedTenants(target: Target): Promise<void> {
  for (const tenant of target.tenants) {
    for (const doc of tenant.documents) {
      await checked(target.url, tenant.headers, INGEST, { input: doc }, 'ingestDocument');
    }
  }
}

/** Runs `clients` loops until `until` passes; resolves with what every operation answered. */
export async function runMix(
  target: Target,
  clients: number,
  until: number,
  random: () => number,
): Promise<Tally> {
  const zero = () => Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<Operation, number>;
  const tally: Tally = { ok: zero(), failed: zero(), samples: [] };
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let n = 0; Date.now() < until; n += 1) {
        const op = pick(random);
        try {
          await runOne(op, target, client, n, random);
          tally.ok[op] += 1;
        } catch (error) {
          tally.failed[op] += 1;
          if (tally.samples.length < 5) tally.samples.push(`${op}: ${String(error).slice(0, 240)}`);
        }
      }
    }),
  );
  return tally;
}
