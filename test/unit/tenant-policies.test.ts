// The tenant policy document: `default` plus per-tenant entries merged over it key by key, one strict schema
// whose errors name the variable and the full path, a `__proto__` tenant that keeps its policy, and the
// file and inline variants (exclusive).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';
import {
  DEFAULT_GUARDRAILS,
  DEFAULT_SAMPLING,
  DEFAULT_TENANT_LIMITS,
  DEFAULT_TENANT_POLICY,
  loadTenantPolicies,
} from '../../subgraph/tenancy/tenant-policies';
import { DEFAULT_JOBS_POLICY } from '../../subgraph/tenancy/jobs-policy';

const policiesOf = (vars: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...vars }).tenants;
const inline = (document: unknown) => policiesOf({ TENANT_POLICIES_JSON: JSON.stringify(document) });
/** A policy as forTenant returns it: the given keys, and the built-in limits unless they are overridden. */
const policy = (keys: Record<string, unknown>) => ({
  limits: DEFAULT_TENANT_LIMITS,
  guardrails: DEFAULT_GUARDRAILS,
  sampling: DEFAULT_SAMPLING,
  jobs: DEFAULT_JOBS_POLICY,
  ...keys,
});

describe('the tenant policy document', () => {
  it('with none configured, every tenant gets the default: no provider restricted, the built-in limits', () => {
    const policies = policiesOf({});
    expect(policies.forTenant('acme')).toEqual({
      limits: { maxConcurrentStreams: 1_000 },
      guardrails: {
        injection: 'flag',
        flaggedChunks: 'omit',
        redactBeforeProvider: false,
        grounding: 'drop',
        topics: { allow: [], deny: [] },
      },
      sampling: { rate: 0.05, keepContent: false, retentionDays: 30 },
      jobs: { maxQueued: 1_000, maxRunning: 4 },
    });
    expect(policies.forTenant('acme')).toBe(DEFAULT_TENANT_POLICY);
    expect(loadTenantPolicies(undefined).forTenant('globex').allowedProviders).toBeUndefined();
  });

  it('with only `default`, every tenant gets it', () => {
    const policies = inline({ default: { allowedProviders: ['selfhosted'], tier: 'standard' } });
    expect(policies.forTenant('acme')).toEqual(
      policy({ allowedProviders: ['selfhosted'], tier: 'standard' }),
    );
    expect(policies.forTenant('globex')).toEqual(
      policy({ allowedProviders: ['selfhosted'], tier: 'standard' }),
    );
  });

  it("merges a tenant's entry over the default key by key", () => {
    const policies = inline({
      default: { allowedProviders: ['openai', 'anthropic'], tier: 'standard' },
      tenants: {
        acme: { allowedProviders: ['selfhosted'] },
        globex: { tier: 'enterprise' },
      },
    });
    expect(policies.forTenant('acme')).toEqual(
      policy({ allowedProviders: ['selfhosted'], tier: 'standard' }),
    );
    expect(policies.forTenant('globex')).toEqual(
      policy({
        allowedProviders: ['openai', 'anthropic'],
        tier: 'enterprise',
      }),
    );
    expect(policies.forTenant('initech')).toEqual(
      policy({
        allowedProviders: ['openai', 'anthropic'],
        tier: 'standard',
      }),
    );
  });

  it('merges `limits` key by key: the tenant over the default over the built-in limits', () => {
    const policies = inline({
      default: { limits: { maxConcurrentStreams: 50 } },
      tenants: { acme: { limits: { maxConcurrentStreams: 5 } }, globex: { limits: {} } },
    });
    expect(policies.forTenant('acme').limits).toEqual({ maxConcurrentStreams: 5 });
    expect(policies.forTenant('globex').limits).toEqual({ maxConcurrentStreams: 50 });
    expect(policies.forTenant('initech').limits).toEqual({ maxConcurrentStreams: 50 });
  });

  it("merges a tenant's guardrails over the default's one rail at a time, topics list by list", () => {
    const policies = inline({
      default: { guardrails: { injection: 'block', topics: { deny: ['salaries'] } } },
      tenants: {
        acme: { guardrails: { redactBeforeProvider: true, topics: { allow: ['billing'] } } },
        globex: { guardrails: { injection: 'off', grounding: 'reject', flaggedChunks: 'fence' } },
      },
    });
    expect(policies.forTenant('acme').guardrails).toEqual({
      ...DEFAULT_GUARDRAILS,
      injection: 'block',
      redactBeforeProvider: true,
      topics: { allow: ['billing'], deny: ['salaries'] },
    });
    expect(policies.forTenant('globex').guardrails).toEqual({
      injection: 'off',
      flaggedChunks: 'fence',
      redactBeforeProvider: false,
      grounding: 'reject',
      topics: { allow: [], deny: ['salaries'] },
    });
    expect(policies.forTenant('initech').guardrails.injection).toBe('block');
    expect(inline({ tenants: { acme: { tier: 'gold' } } }).forTenant('acme').limits).toEqual(
      DEFAULT_TENANT_LIMITS,
    );
  });

  it('accepts a provider that is not configured (the gateway then refuses that tenant)', () => {
    const policies = inline({ tenants: { acme: { allowedProviders: ['anthropic'] } } });
    expect(policies.forTenant('acme').allowedProviders).toEqual(['anthropic']);
  });

  it('keeps the policy of a tenant named __proto__ (a plain object or a zod record would drop it)', () => {
    const policies = policiesOf({
      TENANT_POLICIES_JSON:
        '{"default":{"tier":"standard"},"tenants":{"__proto__":{"allowedProviders":["anthropic"]}}}',
    });
    expect(policies.forTenant('__proto__')).toEqual(
      policy({ allowedProviders: ['anthropic'], tier: 'standard' }),
    );
    expect(policies.forTenant('constructor')).toEqual(policy({ tier: 'standard' }));
    expect(policies.forTenant('toString')).toEqual(policy({ tier: 'standard' }));
  });

  it('checks a __proto__ tenant entry like any other', () => {
    const load = () =>
      policiesOf({ TENANT_POLICIES_JSON: '{"tenants":{"__proto__":{"allowedProviders":["gemini"]}}}' });
    expect(load).toThrow(/^TENANT_POLICIES_JSON at tenants\.__proto__\.allowedProviders\.0: /);
  });

  it('reads the same document from TENANT_POLICIES_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    try {
      const file = join(dir, 'tenant-policies.json');
      writeFileSync(file, JSON.stringify({ tenants: { acme: { allowedProviders: ['selfhosted'] } } }));
      expect(policiesOf({ TENANT_POLICIES_FILE: file }).forTenant('acme').allowedProviders).toEqual([
        'selfhosted',
      ]);
      writeFileSync(file, JSON.stringify({ tenants: { acme: { allowedProvider: ['selfhosted'] } } }));
      expect(() => policiesOf({ TENANT_POLICIES_FILE: file })).toThrow(
        'TENANT_POLICIES_FILE at tenants.acme.allowedProvider: unrecognized key',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a bad tenant policy document stops the start with a ConfigError naming the path', () => {
  it.each([
    [
      { tenants: { acme: { allowedProvider: ['openai'] } } },
      'TENANT_POLICIES_JSON at tenants.acme.allowedProvider: unrecognized key',
    ],
    [
      { default: { limits: { maxStreams: 5 } } },
      'TENANT_POLICIES_JSON at default.limits.maxStreams: unrecognized key',
    ],
    [{ tenant: {} }, 'TENANT_POLICIES_JSON at tenant: unrecognized key'],
  ])('an unknown key: %j', (document, message) => {
    const load = () => inline(document);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('a provider name it does not know', () => {
    const load = () => inline({ tenants: { acme: { allowedProviders: ['openai', 'gemini'] } } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^TENANT_POLICIES_JSON at tenants\.acme\.allowedProviders\.1: .*"openai"/);
  });

  it('an empty allowedProviders, a tier that is not a short label, a tenant id no token can carry', () => {
    expect(() => inline({ tenants: { acme: { allowedProviders: [] } } })).toThrow(
      /^TENANT_POLICIES_JSON at tenants\.acme\.allowedProviders: /,
    );
    expect(() => inline({ default: { tier: 'Gold Tier' } })).toThrow(
      /^TENANT_POLICIES_JSON at default\.tier: /,
    );
    // Found by a review: the message was zod's "Invalid key in record", not what a tenant id must be.
    expect(() => inline({ tenants: { 'a b': {} } })).toThrow(
      'TENANT_POLICIES_JSON at tenants.a b: expects a tenant id (1 to 64 characters A-Z, a-z, 0-9, _ or -)',
    );
  });

  it('a guardrails key out of its enum, a topic too short, and an unknown rail', () => {
    expect(() => inline({ default: { guardrails: { injection: 'warn' } } })).toThrow(
      /^TENANT_POLICIES_JSON at default\.guardrails\.injection: /,
    );
    expect(() => inline({ tenants: { acme: { guardrails: { topics: { deny: ['x'] } } } } })).toThrow(
      /^TENANT_POLICIES_JSON at tenants\.acme\.guardrails\.topics\.deny\.0: /,
    );
    expect(() => inline({ default: { guardrails: { redactPii: true } } })).toThrow(
      /^TENANT_POLICIES_JSON at default\.guardrails\.redactPii: unrecognized key/,
    );
  });

  it('sampling: merged key by key over the default, a rate outside 0..1 and a fractional retention refused', () => {
    const policies = inline({
      default: { sampling: { rate: 0.2 } },
      tenants: {
        acme: { sampling: { keepContent: true, retentionDays: 7 } },
        globex: { sampling: { rate: 0 } },
      },
    });
    expect(policies.forTenant('acme').sampling).toEqual({ rate: 0.2, keepContent: true, retentionDays: 7 });
    expect(policies.forTenant('globex').sampling).toEqual({ ...DEFAULT_SAMPLING, rate: 0 });
    expect(policies.forTenant('initech').sampling).toEqual({ ...DEFAULT_SAMPLING, rate: 0.2 });
    for (const [key, bad] of [
      ['rate', 1.5],
      ['rate', -0.1],
      ['retentionDays', 0.5],
      ['keepContent', 'yes'],
    ] as const)
      expect(() => inline({ default: { sampling: { [key]: bad } } })).toThrow(
        new RegExp(`^TENANT_POLICIES_JSON at default\\.sampling\\.${key}: `),
      );
  });

  it('spend caps that are not positive amounts, and rate limits that are not positive integers', () => {
    for (const [key, bad] of [
      ['monthlyCapUsd', 0],
      ['dailyCapUsd', -5],
      ['monthlyCapUsd', '10'],
      ['requestsPerMinute', 0],
      ['requestsPerMinute', 1.5],
      ['tokensPerMinute', -1],
    ] as const)
      expect(() => inline({ default: { limits: { [key]: bad } } })).toThrow(
        new RegExp(`^TENANT_POLICIES_JSON at default\\.limits\\.${key}: `),
      );
    const limits = inline({
      default: { limits: { monthlyCapUsd: 100, requestsPerMinute: 600 } },
      tenants: { acme: { limits: { monthlyCapUsd: 20, tokensPerMinute: 50_000 } } },
    }).forTenant('acme').limits;
    expect(limits).toEqual({
      maxConcurrentStreams: 1_000,
      monthlyCapUsd: 20,
      requestsPerMinute: 600,
      tokensPerMinute: 50_000,
    });
  });

  it('a maxConcurrentStreams that is not a positive integer', () => {
    for (const bad of [0, -1, 2.5, '10'])
      expect(() => inline({ tenants: { acme: { limits: { maxConcurrentStreams: bad } } } })).toThrow(
        /^TENANT_POLICIES_JSON at tenants\.acme\.limits\.maxConcurrentStreams: /,
      );
  });

  it('JSON that does not parse, and a file that cannot be read', () => {
    expect(() => policiesOf({ TENANT_POLICIES_JSON: '{"tenants":' })).toThrow(
      /^TENANT_POLICIES_JSON expects readable JSON/,
    );
    expect(() => policiesOf({ TENANT_POLICIES_FILE: join(tmpdir(), 'no-such-policies.json') })).toThrow(
      /^TENANT_POLICIES_FILE expects readable JSON/,
    );
  });

  // Outside review finding: JSON.parse's message quotes the text around the fault, and the error is printed at
  // the start: an unquoted webhook secret reached stderr in part.
  it('JSON that does not parse is reported without its text: an unquoted secret never reaches the error', () => {
    const secret = 's3cr3t-very-secret-value';
    const load = () =>
      policiesOf({
        TENANT_POLICIES_JSON: `{"tenants": {"acme": {"jobs": {"webhookUrl": "https://hooks.example/x", "webhookSecret": ${secret}}}}}`,
      });
    expect(load).toThrow(/^TENANT_POLICIES_JSON expects readable JSON \(not valid JSON/);
    expect(load).not.toThrow(/s3cr3t/);
    expect(() => policiesOf({ TENANT_POLICIES_JSON: '{"tenants": {"acme": {},}}' })).toThrow(
      /not valid JSON at position \d+/,
    );
  });

  it('both TENANT_POLICIES_FILE and TENANT_POLICIES_JSON set', () => {
    const load = () => policiesOf({ TENANT_POLICIES_FILE: '/tmp/p.json', TENANT_POLICIES_JSON: '{}' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('TENANT_POLICIES_FILE and TENANT_POLICIES_JSON are exclusive: set one');
  });

  it('a `tenants` block left in the route table, saying where it moved', () => {
    const load = () =>
      policiesOf({
        GATEWAY_ROUTES_JSON: JSON.stringify({ tenants: { acme: { allowedProviders: ['selfhosted'] } } }),
      });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /^GATEWAY_ROUTES_JSON at tenants: tenant policies moved to TENANT_POLICIES_FILE \/ TENANT_POLICIES_JSON/,
    );
  });
});
