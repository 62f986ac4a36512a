// The request record behind the request's log line: stage() adds its duration to the record of the request it
// runs in, for a query (withRequestRecord) and for a stream (recordedStream), whose generator is resumed by
// whoever reads the next event (graphql-ws, from its own context); records of concurrent requests stay apart;
// and the trace id is the active span's, or null outside any trace.
import { trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createMetrics } from '../../subgraph/observability/metrics';
import {
  activeTraceId,
  currentRequestRecord,
  newRequestRecord,
  recordedStream,
  stageTimings,
  withRequestRecord,
} from '../../subgraph/observability/request-record';
import { stage } from '../../subgraph/observability/stage';

const metrics = createMetrics({ defaultMetrics: false });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('a query: each stage adds its time to its own request record, and concurrent requests stay apart', async () => {
  const request = (name: string, ms: number) =>
    withRequestRecord(async () => {
      await stage(metrics, `${name}.first`, () => pause(ms));
      await stage(metrics, 'shared', () => pause(10));
      await stage(metrics, 'shared', () => pause(10));
      return stageTimings(currentRequestRecord());
    });
  const [a, b] = await Promise.all([request('a', 30), request('b', 5)]);
  expect(Object.keys(a)).toEqual(['a.first', 'shared']);
  expect(Object.keys(b)).toEqual(['b.first', 'shared']);
  expect(a['a.first']).toBeGreaterThanOrEqual(25);
  // Both runs of `shared` add up. A timer may fire up to a millisecond before its delay as hrtime measures it
  // (the loop's clock is read once per turn), so the bound leaves that slack on each run.
  expect(b['shared']).toBeGreaterThanOrEqual(18);
  // Outside a request, a stage is timed for its metric and recorded nowhere.
  await stage(metrics, 'outside', () => pause(1));
  expect(currentRequestRecord()).toBeUndefined();
});

it('a stream: stages inside a generator that another context drives land in the stream’s record', async () => {
  async function* source(): AsyncGenerator<string, void, undefined> {
    await stage(metrics, 'retrieval', () => pause(5));
    yield 'first';
    await stage(metrics, 'model', () => pause(5));
    yield 'second';
  }
  const record = newRequestRecord();
  const stream = recordedStream(record, source());
  // Each step driven from inside another request's record, as graphql-ws would from its own context.
  const seen = await withRequestRecord(async () => {
    const events: string[] = [];
    for await (const event of stream) events.push(event);
    return { events, driverStages: stageTimings(currentRequestRecord()) };
  });
  expect(seen.events).toEqual(['first', 'second']);
  expect(seen.driverStages).toEqual({});
  expect(Object.keys(stageTimings(record))).toEqual(['retrieval', 'model']);
});

it('a stream left early still runs its last steps (its finally) inside its record', async () => {
  async function* source(): AsyncGenerator<string, void, undefined> {
    try {
      yield 'first';
      yield 'never read';
    } finally {
      await stage(metrics, 'cleanup', () => pause(1));
    }
  }
  const record = newRequestRecord();
  const stream = recordedStream(record, source());
  expect(await stream.next()).toEqual({ done: false, value: 'first' });
  await stream.return(undefined);
  expect(Object.keys(stageTimings(record))).toEqual(['cleanup']);
});

describe('the trace id', () => {
  const provider = new NodeTracerProvider();
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());

  it('is the active span’s inside a trace, captured by a record made there, and null outside one', async () => {
    expect(activeTraceId()).toBeNull();
    const tracer = trace.getTracer('request-record-test');
    const inside = await tracer.startActiveSpan('request', async (span) => {
      const record = newRequestRecord();
      await pause(1);
      const seen = { active: activeTraceId(), recorded: record.traceId, spans: span.spanContext().traceId };
      span.end();
      return seen;
    });
    expect(inside.active).toMatch(/^[0-9a-f]{32}$/);
    expect(inside.recorded).toBe(inside.spans);
    expect(inside.active).toBe(inside.spans);
    expect(newRequestRecord().traceId).toBeNull();
  });
});
