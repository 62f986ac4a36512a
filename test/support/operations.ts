// The GraphQL operations the suites send, written once. Each union is selected in full (every member, the
// fields results.ts types), so a test reads any member and asserts on whichever fields it cares about.

const META = 'meta { provider model promptVersion cached costUsd }';
const CITATION = 'documentId chunkId title';
const HIT = 'documentId chunkId title snippet score';
const UNAVAILABLE = '... on AIUnavailable { reason message retryAfterSeconds }';

export const ASK_RESULT = `
  __typename
  ... on Answer { text citations { ${CITATION} } ${META} }
  ... on DegradedAnswer { reason passages { ${CITATION} } ${META} }
  ${UNAVAILABLE}`;

export const SUMMARIZE_RESULT = `
  __typename
  ... on Summary { text ${META} }
  ... on DegradedSummary { text reason ${META} }
  ${UNAVAILABLE}`;

export const SEARCH_RESULT = `
  __typename
  ... on SearchResults { hits { ${HIT} } ${META} }
  ... on DegradedSearchResults { hits { ${HIT} } reason ${META} }
  ${UNAVAILABLE}`;

/** Variables: `input: AskInput`. Data: `{ ask: AskResult }`. */
export const ASK = `query Ask($input: AskInput!) { ask(input: $input) { ${ASK_RESULT} } }`;

/** Variables: `input: SummarizeInput`. Data: `{ summarize: SummarizeResult }`. */
export const SUMMARIZE = `query Summarize($input: SummarizeInput!) { summarize(input: $input) { ${SUMMARIZE_RESULT} } }`;

/** Variables: `input: SearchInput`. Data: `{ search: SearchResult }`. */
export const SEARCH = `query Search($input: SearchInput!) { search(input: $input) { ${SEARCH_RESULT} } }`;

/** Variables: `input: IngestDocumentInput`. Data: `{ ingestDocument: IngestResult }`. */
export const INGEST = `mutation Ingest($input: IngestDocumentInput!) {
  ingestDocument(input: $input) { documentId chunks embedded flagged { chunkId kind score } }
}`;

/** Variables: `id`. Data: `{ deleteDocument: boolean }`. */
export const DELETE = `mutation Delete($id: ID!) { deleteDocument(id: $id) }`;

/** Data: `{ usage: TenantUsage }`. */
export const USAGE = `query Usage {
  usage {
    tenantId spendUsdToday spendUsdThisMonth monthlyCapUsd dailyCapUsd requestsToday
    byFeature { feature requests costUsd fallbacks cacheHits }
  }
}`;

/** A streaming subscription: text deltas, notices, then the completed result selected in full. */
const stream = (
  operation: string,
  field: string,
  input: string,
  delta: string,
  completed: string,
  result: string,
): string => `subscription ${operation}($input: ${input}!) {
  ${field}(input: $input) {
    __typename
    ... on ${delta} { text index }
    ... on StreamNotice { reason message restart }
    ... on ${completed} { result { ${result} } }
  }
}`;

/** Variables: `input: AskInput`. Data: `{ askStream: AskStreamEvent }` per event. */
export const ASK_STREAM = stream(
  'AskStream',
  'askStream',
  'AskInput',
  'AnswerDelta',
  'AskCompleted',
  ASK_RESULT,
);

/** Variables: `input: SummarizeInput`. Data: `{ summarizeStream: SummarizeStreamEvent }` per event. */
export const SUMMARIZE_STREAM = stream(
  'SummarizeStream',
  'summarizeStream',
  'SummarizeInput',
  'SummaryDelta',
  'SummarizeCompleted',
  SUMMARIZE_RESULT,
);

/** Variables: `limit` (optional). Data: `{ aiSamples: AISample[] }`. */
export const AI_SAMPLES = `query AiSamples($limit: Int) {
  aiSamples(limit: $limit) {
    requestId feature createdAt input output outcome reason
    quality { grounding citationsValid abstained }
  }
}`;
