// The degraded `message` for every reason the schema declares and every feature: one sentence, the cause
// first and what the client got instead second, and no two reasons worded alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import type { EnumTypeDefinitionNode } from 'graphql';
import { degradedMessage } from '../../subgraph/features/degraded-message';
import type { DegradationReason } from '../../subgraph/features/feature-result';
import type { FeatureName } from '../../subgraph/features/meter-result';
import { NOTICE_ONLY_REASONS } from '../../subgraph/features/stream-pipeline';

const schema = parse(readFileSync(join(__dirname, '..', '..', 'schema', 'ai.graphql'), 'utf8'));
const reasons = (
  schema.definitions.find(
    (definition): definition is EnumTypeDefinitionNode =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'DegradationReason',
  )?.values ?? []
)
  .map((value) => value.name.value)
  // A notice's own reason (REFORMATTED) degrades no result: it has no degraded message.
  .filter((name) => !NOTICE_ONLY_REASONS.has(name))
  .map((name) => name as DegradationReason);
const FEATURES: FeatureName[] = ['summarize', 'search', 'ask'];

describe('degradedMessage', () => {
  it('covers every DegradationReason in schema/', () => {
    expect(reasons.length).toBeGreaterThanOrEqual(11);
  });

  it.each(FEATURES)('gives %s one sentence per reason, each reason worded differently', (feature) => {
    const messages = reasons.map((reason) => degradedMessage(feature, reason));
    for (const message of messages) expect(message).toMatch(/^[A-Z][^.]{10,}; [a-z][^.]{10,}\.$/);
    expect(new Set(messages).size).toBe(reasons.length);
  });

  it('says what each feature shows instead', () => {
    expect(degradedMessage('summarize', 'PROVIDER_TIMEOUT')).toBe(
      'The model provider did not answer in time; this is an extractive summary of the text’s own sentences.',
    );
    expect(degradedMessage('search', 'NO_PROVIDER_CONFIGURED')).toBe(
      'No model provider is configured; these results are ranked by keywords only.',
    );
    expect(degradedMessage('ask', 'CIRCUIT_OPEN')).toBe(
      'The model provider failed repeatedly and is paused for a while; these are the most relevant passages instead of a generated answer.',
    );
  });

  // RATE_LIMITED from this replica's overload read as the provider's: "The model provider is rate limiting …".
  it('names our own limit, not the provider, where one held the call back, with when to come back', () => {
    const overloaded = degradedMessage('search', 'RATE_LIMITED', {
      refusedBy: 'overload',
      retryAfterSeconds: 2,
    });
    expect(overloaded).toBe(
      'This service is overloaded right now (retry in 2 s for the full result); these results are ranked by keywords only.',
    );
    expect(
      degradedMessage('search', 'RATE_LIMITED', { refusedBy: 'overload', retryAfterSeconds: null }),
    ).toMatch(/^This service is overloaded right now \(retry in 1 s/);
    expect(degradedMessage('ask', 'RATE_LIMITED', { refusedBy: 'rate', retryAfterSeconds: 12 })).toBe(
      'This tenant’s rate limit is reached (retry in 12 s for the full result); these are the most relevant passages instead of a generated answer.',
    );
    expect(degradedMessage('summarize', 'RATE_LIMITED', { refusedBy: 'rate', retryAfterSeconds: null })).toBe(
      'This tenant’s rate limit is reached; this is an extractive summary of the text’s own sentences.',
    );
    for (const message of [
      overloaded,
      degradedMessage('ask', 'RATE_LIMITED', { refusedBy: 'rate', retryAfterSeconds: 12 }),
    ]) {
      expect(message).not.toMatch(/model provider/);
    }
    // A provider's own 429 is still the provider's.
    expect(degradedMessage('search', 'RATE_LIMITED')).toMatch(
      /^The model provider is rate limiting requests; /,
    );
  });
});
