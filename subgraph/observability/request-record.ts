// What one feature request's log line says of the request's path: how long each stage took and which trace
// it belongs to. stage() adds its duration to the record of the request it runs in, found in the active
// Context (a value beside the active span, in the process's one AsyncLocalStorage: async-context.ts), so no
// stage needs a request handle passed down to it. A query runs inside withRequestRecord; a stream is an async
// generator that graphql-ws resumes from its own context at every event, so recordedStream enters the record
// around each step instead. A span started under another parent than the active context (the caller's
// traceparent) takes the record along with carryRecord.
import { context, createContextKey, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import './async-context';

export interface RequestRecord {
  /** Milliseconds per stage name; a stage that ran more than once (retrieval's embeddings) adds up. */
  readonly stages: Map<string, number>;
  /** The trace active when the request began; null when none was (no tracing, or no incoming trace). */
  readonly traceId: string | null;
}

const RECORD = createContextKey('ai-subgraph request record');

const withRecord = <T>(record: RequestRecord, work: () => Promise<T>): Promise<T> =>
  context.with(context.active().setValue(RECORD, record), work);

/** The trace id of the active span, or null when there is none (or only the no-op API's invalid one). */
export function activeTraceId(): string | null {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : null;
}

export function newRequestRecord(): RequestRecord {
  return { stages: new Map(), traceId: activeTraceId() };
}

/** The record of the request running now; undefined outside one (ingest, the embedding sweep). */
export function currentRequestRecord(): RequestRecord | undefined {
  return context.active().getValue(RECORD) as RequestRecord | undefined;
}

/** Runs a query's work with a record of its own, which its stages write into. */
export function withRequestRecord<T>(work: () => Promise<T>): Promise<T> {
  return withRecord(newRequestRecord(), work);
}

/** `parent` with the current request's record in it: for a span whose parent is not the active context. */
export function carryRecord(parent: Context): Context {
  const record = currentRequestRecord();
  return record ? parent.setValue(RECORD, record) : parent;
}

/** A stream whose every step (and its end) runs inside `record`, whoever drives it. */
export async function* recordedStream<T>(
  record: RequestRecord,
  source: AsyncGenerator<T, void, undefined>,
): AsyncGenerator<T, void, undefined> {
  try {
    for (;;) {
      const next = await withRecord(record, () => source.next());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await withRecord(record, () => source.return(undefined));
  }
}

/** Adds a stage's duration to the current request's record; nothing outside a request. */
export function noteStage(name: string, ms: number): void {
  const record = currentRequestRecord();
  if (record) record.stages.set(name, (record.stages.get(name) ?? 0) + ms);
}

/** The stages as a log field: milliseconds to a tenth, in the order they first ran. */
export function stageTimings(record: RequestRecord | undefined): Record<string, number> {
  return Object.fromEntries(
    [...(record?.stages ?? [])].map(([name, ms]) => [name, Math.round(ms * 10) / 10]),
  );
}
