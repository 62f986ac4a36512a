// The standard OTEL_* variables the subgraph decides on itself: spans are exported only when an endpoint is
// set, to the traces URL the specification builds, over OTLP/HTTP in the protocol asked for (protobuf by
// default); grpc, not built in, stops the start with a message naming the variable.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

const tracingOf = (env: Record<string, string>) => loadConfig(env).tracing;

describe('tracing configuration', () => {
  it('exports nothing without an endpoint, with the SDK on', () => {
    expect(tracingOf({})).toEqual({ enabled: true, exporter: null });
  });

  it.each([
    ['http://collector:4318', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/', 'http://collector:4318/v1/traces'],
    ['https://gateway.example/otlp/', 'https://gateway.example/otlp/v1/traces'],
  ])('appends v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT %s', (endpoint, url) => {
    expect(tracingOf({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).exporter).toEqual({
      url,
      protocol: 'http/protobuf',
    });
  });

  it('takes OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, over the base endpoint', () => {
    const tracing = tracingOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom',
    });
    expect(tracing.exporter?.url).toBe('http://traces:4318/custom');
  });

  it('reads the protocol, the traces one over the general one', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingOf({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).exporter?.protocol).toBe(
      'http/json',
    );
    const both = {
      ...endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    };
    expect(tracingOf(both).exporter?.protocol).toBe('http/protobuf');
  });

  it('refuses grpc, naming the variable', () => {
    const load = () => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^OTEL_EXPORTER_OTLP_PROTOCOL expects http\/protobuf or http\/json/);
  });

  it('refuses an endpoint that is not an http(s) URL, without echoing it', () => {
    const load = () => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expect(load).toThrow(/^OTEL_EXPORTER_OTLP_ENDPOINT expects an http:\/\/ or https:\/\/ URL$/);
  });

  it.each([
    ['true', false],
    ['TRUE', false],
    ['false', true],
    ['1', true],
  ])('OTEL_SDK_DISABLED=%s leaves tracing enabled: %s', (value, enabled) => {
    expect(tracingOf({ OTEL_SDK_DISABLED: value }).enabled).toBe(enabled);
  });
});
