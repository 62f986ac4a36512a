// What the shared operations (operations.ts) return, one interface per union member, and the helpers that
// narrow a union result to the member a test expects and read streamed events.

export interface Meta {
  provider: string | null;
  model: string | null;
  promptVersion: string | null;
  cached: boolean;
  costUsd: number;
}

export interface Citation {
  documentId: string;
  chunkId: string;
  title: string;
}

export interface AIUnavailable {
  __typename: 'AIUnavailable';
  reason: string;
  message: string;
  retryAfterSeconds: number | null;
}

export interface Answer {
  __typename: 'Answer';
  text: string;
  citations: Citation[];
  meta: Meta;
}

export interface DegradedAnswer {
  __typename: 'DegradedAnswer';
  reason: string;
  passages: Citation[];
  meta: Meta;
}

export type AskResult = Answer | DegradedAnswer | AIUnavailable;

export interface Summary {
  __typename: 'Summary';
  text: string;
  meta: Meta;
}

export interface DegradedSummary {
  __typename: 'DegradedSummary';
  text: string;
  reason: string;
  meta: Meta;
}

export type SummarizeResult = Summary | DegradedSummary | AIUnavailable;

export interface SearchHit {
  documentId: string;
  chunkId: string;
  title: string;
  snippet: string;
  score: number;
}

export interface SearchResults {
  __typename: 'SearchResults';
  hits: SearchHit[];
  meta: Meta;
}

export interface DegradedSearchResults {
  __typename: 'DegradedSearchResults';
  hits: SearchHit[];
  reason: string;
  meta: Meta;
}

export type SearchResult = SearchResults | DegradedSearchResults | AIUnavailable;

export interface IngestResult {
  documentId: string;
  chunks: number;
  embedded: boolean;
  flagged: { chunkId: string; kind: string; score: number }[];
}

export interface FeatureUsage {
  feature: string;
  requests: number;
  costUsd: number;
  fallbacks: number;
  cacheHits: number;
}

export interface TenantUsage {
  tenantId: string;
  spendUsdToday: number;
  spendUsdThisMonth: number;
  monthlyCapUsd: number | null;
  dailyCapUsd: number | null;
  requestsToday: number;
  byFeature: FeatureUsage[];
}

export interface QualityGrade {
  grounding: number | null;
  citationsValid: boolean | null;
  abstained: boolean;
}

export interface AISample {
  requestId: string;
  feature: string;
  createdAt: string;
  input: string;
  output: string;
  outcome: 'full' | 'degraded' | 'unavailable';
  reason: string | null;
  quality: QualityGrade | null;
}

export interface AnswerDelta {
  __typename: 'AnswerDelta';
  text: string;
  index: number;
}

export interface SummaryDelta {
  __typename: 'SummaryDelta';
  text: string;
  index: number;
}

export interface StreamNotice {
  __typename: 'StreamNotice';
  reason: string;
  message: string;
  restart: boolean;
}

export interface AskCompleted {
  __typename: 'AskCompleted';
  result: AskResult;
}

export interface SummarizeCompleted {
  __typename: 'SummarizeCompleted';
  result: SummarizeResult;
}

export type AskStreamEvent = AnswerDelta | StreamNotice | AskCompleted;
export type SummarizeStreamEvent = SummaryDelta | StreamNotice | SummarizeCompleted;

/** The union member named `typename`, or a failed expectation naming what came instead. */
export function member<Result extends { __typename: string }, Name extends Result['__typename']>(
  result: Result | undefined,
  typename: Name,
): Extract<Result, { __typename: Name }> {
  expect(result?.__typename).toBe(typename);
  return result as Extract<Result, { __typename: Name }>;
}

/** The text of every delta among `events`, joined in order. */
export function deltaText(events: readonly (AskStreamEvent | SummarizeStreamEvent)[]): string {
  return events
    .map((event) =>
      event.__typename === 'AnswerDelta' || event.__typename === 'SummaryDelta' ? event.text : '',
    )
    .join('');
}

/** A call's value with its duration, and when it returned (Date.now()), for deadline assertions. */
export async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number; endedAt: number }> {
  const started = performance.now();
  const value = await call();
  const ms = performance.now() - started;
  return { value, ms, endedAt: Date.now() };
}
