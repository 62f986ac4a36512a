// The tracing setup (startTracing) in this process, configured through loadConfig as the entry point does:
// with an OTLP endpoint spans reach the collector in the protocol asked for, continuing the caller's trace;
// without one no exporter exists and nothing is recorded, yet every span still carries the caller's trace id
// (or a fresh one) for the logs; OTEL_SDK_DISABLED leaves the SDK out entirely. Each test starts the SDK and
// shuts it down, flushing before it asserts. The SDK's context manager is the process's one AsyncLocalStorage,
// shared with the request records (async-context.ts), and outlives the SDK.
import { ROOT_CONTEXT, context, createContextKey, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { loadConfig } from '../../subgraph/config';
import { ASYNC_CONTEXT } from '../../subgraph/observability/async-context';
import {
  currentRequestRecord,
  noteStage,
  stageTimings,
  withRequestRecord,
} from '../../subgraph/observability/request-record';
import { contextFromHeaders } from '../../subgraph/observability/tracing/remote-context';
import { DEFAULT_SERVICE_NAME, startTracing } from '../../subgraph/observability/tracing/start-tracing';
import type { Tracing } from '../../subgraph/observability/tracing/start-tracing';
import { startOtlpReceiver } from '../support/otlp-receiver';
import type { OtlpReceiver } from '../support/otlp-receiver';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const routerContext = (): Context =>
  contextFromHeaders({ traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`, tracestate: 'router=1' });

let receiver: OtlpReceiver;
let tracing: Tracing | undefined;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
  receiver.spans.length = 0;
});

afterAll(() => receiver.close());

function start(env: Record<string, string>): Tracing {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: ':memory:',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    ...env,
  });
  tracing = startTracing(config.tracing);
  return tracing;
}

/** A span the way the subgraph's code opens one: through the API, under the given parent. */
function spanUnder(parent: Context, name: string) {
  const span = trace.getTracer('tracing-setup-test').startSpan(name, {}, parent);
  span.end();
  return span;
}

it('exports OTLP JSON to the endpoint, continuing the caller’s trace, under the default service name', async () => {
  const started = start({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  });
  expect(started.exporting).toBe('otlp http/json');
  const span = spanUnder(routerContext(), 'ai.test');
  expect(span.spanContext().traceState?.get('router')).toBe('1');
  await started.flush();
  expect(receiver.spans).toEqual([
    expect.objectContaining({ traceId: TRACE_ID, parentSpanId: PARENT_ID, name: 'ai.test', kind: 1 }),
  ]);
  expect(receiver.spans[0]?.resource['service.name']).toBe(DEFAULT_SERVICE_NAME);
  expect(receiver.refused).toBe(0);
});

it('takes the traces endpoint as given, and sends protobuf by default', async () => {
  const started = start({
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/not-this-one',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces`,
  });
  expect(started.exporting).toBe('otlp http/protobuf');
  const batchesBefore = receiver.protobufBatches;
  spanUnder(routerContext(), 'ai.test');
  await started.flush();
  expect(receiver.protobufBatches).toBe(batchesBefore + 1);
  expect(receiver.refused).toBe(0);
  expect(receiver.spans).toEqual([]);
});

it('without an endpoint creates no exporter and records nothing, yet continues the trace id', async () => {
  const started = start({});
  expect(started.exporting).toBe('off');
  const continued = trace.getTracer('tracing-setup-test').startSpan('ai.test', {}, routerContext());
  expect(continued.isRecording()).toBe(false);
  expect(continued.spanContext().traceId).toBe(TRACE_ID);
  expect(continued.spanContext().spanId).not.toBe(PARENT_ID);
  continued.end();
  // A request with no traceparent still gets a trace id of its own for its log line.
  const fresh = trace.getTracer('tracing-setup-test').startSpan('ai.test', {}, ROOT_CONTEXT);
  expect(isSpanContextValid(fresh.spanContext())).toBe(true);
  expect(fresh.isRecording()).toBe(false);
  fresh.end();
  await started.flush();
  expect(receiver.spans).toEqual([]);
});

it('under OTEL_SDK_DISABLED=true starts no SDK at all, whatever the endpoint', async () => {
  const started = start({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  expect(started.exporting).toBe('off');
  const span = spanUnder(ROOT_CONTEXT, 'ai.test');
  expect(isSpanContextValid(span.spanContext())).toBe(false);
  await started.flush();
  expect(receiver.spans).toEqual([]);
});

describe('one AsyncLocalStorage for the trace context and the request records', () => {
  const probe = createContextKey('tracing-setup probe');
  /** Whether the context the API enters is the one the process's shared manager holds. */
  const sharedManagerCarries = () =>
    context.with(ROOT_CONTEXT.setValue(probe, 'entered'), () => ASYNC_CONTEXT.active().getValue(probe));

  it.each([
    ['exporting', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/unused' }],
    ['without an endpoint', {}],
    ['with OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'true' }],
  ])('the SDK %s uses the shared context manager, not an AsyncLocalStorage of its own', (_, env) => {
    start(env);
    expect(sharedManagerCarries()).toBe('entered');
  });

  it('a request record still reaches its stages after the SDK has shut down', async () => {
    await start({}).shutdown();
    tracing = undefined;
    const stages = await withRequestRecord(async () => {
      await Promise.resolve();
      noteStage('retrieval', 2);
      return stageTimings(currentRequestRecord());
    });
    expect(stages).toEqual({ retrieval: 2 });
    expect(sharedManagerCarries()).toBe('entered');
  });
});
