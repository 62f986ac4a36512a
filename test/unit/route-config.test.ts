// Routing as data: default chains follow the configured providers, the small-model chain serves short
// summaries, tenant policy filters targets, and bad GATEWAY_ROUTES_* stop the start with a ConfigError.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../subgraph/errors/config-error';
import { envSchema } from '../../subgraph/config';
import type { Env } from '../../subgraph/config';
import type { ProviderName } from '../../subgraph/gateway/providers/model-provider';
import { defaultRoutes, loadRouteTable, targetId } from '../../subgraph/gateway/routing/route-config';
import type { RouteTable, Target } from '../../subgraph/gateway/routing/route-config';
import { chooseRoute } from '../../subgraph/gateway/routing/router';

const envOf = (vars: Record<string, string> = {}): Env => envSchema.parse(vars);
const ALL = new Set<ProviderName>(['openai', 'anthropic', 'selfhosted']);
const ids = (targets: readonly Target[]) => targets.map(targetId);

describe('default routes', () => {
  it('chain openai, anthropic, selfhosted in that order when all three are configured', () => {
    const routes = defaultRoutes(envOf(), ALL);
    const main = ['openai:gpt-4.1-mini', 'anthropic:claude-sonnet-5-5', 'selfhosted:llama3.1:8b'];
    expect(ids(routes.answer.chain)).toEqual(main);
    expect(ids(routes.summarize.chain)).toEqual(main);
    expect(routes.summarize.small?.maxInputChars).toBe(4000);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual([
      'openai:gpt-4.1-nano',
      'anthropic:claude-haiku-4-5',
      'selfhosted:llama3.1:8b',
    ]);
    expect(routes.answer.small).toBeUndefined();
    expect(ids(routes.embed.chain)).toEqual(['openai:text-embedding-3-small']);
  });

  it('use the configured model names', () => {
    const routes = defaultRoutes(
      envOf({
        OPENAI_MODEL: 'o-big',
        OPENAI_SMALL_MODEL: 'o-small',
        ANTHROPIC_MODEL: 'a-big',
        ANTHROPIC_SMALL_MODEL: 'a-small',
        SELFHOSTED_MODEL: 'local',
        SELFHOSTED_EMBEDDING_MODEL: 'local-embed',
        SMALL_MODEL_MAX_INPUT_CHARS: '123',
      }),
      ALL,
    );
    expect(ids(routes.answer.chain)).toEqual(['openai:o-big', 'anthropic:a-big', 'selfhosted:local']);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual([
      'openai:o-small',
      'anthropic:a-small',
      'selfhosted:local',
    ]);
    expect(routes.summarize.small?.maxInputChars).toBe(123);
    expect(ids(routes.embed.chain)).toEqual(['openai:text-embedding-3-small', 'selfhosted:local-embed']);
  });

  it('hold only anthropic when only anthropic is configured, with nothing to embed', () => {
    const routes = defaultRoutes(envOf(), new Set<ProviderName>(['anthropic']));
    expect(ids(routes.answer.chain)).toEqual(['anthropic:claude-sonnet-5-5']);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual(['anthropic:claude-haiku-4-5']);
    expect(routes.embed.chain).toEqual([]);
  });

  it('hold only selfhosted when only a self-hosted base URL is configured', () => {
    const routes = defaultRoutes(envOf(), new Set<ProviderName>(['selfhosted']));
    expect(ids(routes.answer.chain)).toEqual(['selfhosted:llama3.1:8b']);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual(['selfhosted:llama3.1:8b']);
    expect(routes.embed.chain).toEqual([]);
  });

  it('are empty, with no small chain, when no provider is configured', () => {
    const routes = defaultRoutes(envOf(), new Set());
    expect(routes.answer.chain).toEqual([]);
    expect(routes.summarize.chain).toEqual([]);
    expect(routes.summarize.small).toBeUndefined();
    expect(routes.embed.chain).toEqual([]);
  });
});

describe('chooseRoute', () => {
  const table = loadRouteTable(envOf(), ALL);

  it('takes the small chain for a summary up to SMALL_MODEL_MAX_INPUT_CHARS, the main chain above', () => {
    expect(ids(chooseRoute(table, 'summarize', undefined, 4000).chain)[0]).toBe('openai:gpt-4.1-nano');
    expect(ids(chooseRoute(table, 'summarize', undefined, 0).chain)[0]).toBe('openai:gpt-4.1-nano');
    expect(ids(chooseRoute(table, 'summarize', undefined, 4001).chain)[0]).toBe('openai:gpt-4.1-mini');
  });

  it('never takes a small chain for answers, however short the input', () => {
    expect(ids(chooseRoute(table, 'answer', undefined, 10).chain)).toEqual(ids(table.tasks.answer.chain));
  });

  it('keeps only the providers a tenant policy allows, in chain order', () => {
    const routes = loadRouteTable(
      envOf({
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tenants: {
            acme: { allowedProviders: ['selfhosted', 'anthropic'] },
            locked: { allowedProviders: ['selfhosted'] },
          },
        }),
      }),
      ALL,
    );
    const acme = chooseRoute(routes, 'answer', routes.tenants.get('acme')?.allowedProviders, 10_000);
    expect(ids(acme.chain)).toEqual(['anthropic:claude-sonnet-5-5', 'selfhosted:llama3.1:8b']);
    expect(acme.restrictedByPolicy).toBe(false);
    expect(
      ids(chooseRoute(routes, 'summarize', routes.tenants.get('locked')?.allowedProviders, 10).chain),
    ).toEqual(['selfhosted:llama3.1:8b']);
    // A tenant without a policy gets the whole chain.
    expect(
      ids(chooseRoute(routes, 'answer', routes.tenants.get('globex')?.allowedProviders, 10_000).chain),
    ).toHaveLength(3);
  });

  it('says when the policy removed every target rather than falling back to a forbidden provider', () => {
    const routes = loadRouteTable(
      envOf({
        GATEWAY_ROUTES_JSON: JSON.stringify({
          tasks: { answer: { chain: [{ provider: 'openai', model: 'm1' }] } },
          tenants: { acme: { allowedProviders: ['selfhosted'] } },
        }),
      }),
      ALL,
    );
    const choice = chooseRoute(routes, 'answer', routes.tenants.get('acme')?.allowedProviders, 10);
    expect(choice.chain).toEqual([]);
    expect(choice.restrictedByPolicy).toBe(true);
    const noProviders: RouteTable = loadRouteTable(envOf(), new Set());
    expect(
      chooseRoute(noProviders, 'answer', noProviders.tenants.get('acme')?.allowedProviders, 10)
        .restrictedByPolicy,
    ).toBe(false);
  });
});

describe('loadRouteTable from GATEWAY_ROUTES_JSON and GATEWAY_ROUTES_FILE', () => {
  const override = {
    tasks: { answer: { chain: [{ provider: 'openai', model: 'm1', timeoutMs: 300 }], deadlineMs: 1500 } },
  };

  it('replaces the named task and keeps the defaults of the others', () => {
    const routes = loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: JSON.stringify(override) }), ALL);
    expect(routes.tasks.answer).toEqual({
      chain: [{ provider: 'openai', model: 'm1', timeoutMs: 300 }],
      deadlineMs: 1500,
    });
    expect(chooseRoute(routes, 'answer', routes.tenants.get('t')?.allowedProviders, 10).deadlineMs).toBe(
      1500,
    );
    expect(ids(routes.tasks.summarize.chain)).toHaveLength(3);
    expect(routes.tenants.size).toBe(0);
  });

  it('reads the same shape from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routes-'));
    try {
      const file = join(dir, 'routes.json');
      writeFileSync(file, JSON.stringify(override));
      const routes = loadRouteTable(envOf({ GATEWAY_ROUTES_FILE: file }), ALL);
      expect(ids(routes.tasks.answer.chain)).toEqual(['openai:m1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws ConfigError naming the variable for JSON that does not parse', () => {
    const load = () => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: '{"tasks": {' }), ALL);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GATEWAY_ROUTES_JSON expects readable JSON/);
  });

  it('throws ConfigError for a file that cannot be read', () => {
    const load = () =>
      loadRouteTable(envOf({ GATEWAY_ROUTES_FILE: join(tmpdir(), 'no-such-routes-file.json') }), ALL);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GATEWAY_ROUTES_FILE/);
  });

  it('throws ConfigError for a provider it does not know', () => {
    const json = JSON.stringify({ tasks: { answer: { chain: [{ provider: 'gemini', model: 'g' }] } } });
    const load = () => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: json }), ALL);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/GATEWAY_ROUTES_JSON at tasks\.answer\.chain\.0\.provider/);
  });

  it('throws ConfigError for a route to a provider without credentials or base URL', () => {
    const json = JSON.stringify({ tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'x' }] } } });
    const load = () => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: json }), new Set(['openai']));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/routes answer to selfhosted, which has no credentials or base URL set/);
  });

  it('throws ConfigError for an unconfigured provider in a small chain too', () => {
    const json = JSON.stringify({
      tasks: {
        summarize: {
          chain: [{ provider: 'openai', model: 'big' }],
          small: { maxInputChars: 100, chain: [{ provider: 'anthropic', model: 'small' }] },
        },
      },
    });
    expect(() => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: json }), new Set(['openai']))).toThrow(
      /routes summarize to anthropic/,
    );
  });

  it('throws ConfigError for out-of-range timeouts and empty tenant policies', () => {
    const tooShort = JSON.stringify({
      tasks: { answer: { chain: [{ provider: 'openai', model: 'm', timeoutMs: 1 }] } },
    });
    expect(() => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: tooShort }), ALL)).toThrow(ConfigError);
    const empty = JSON.stringify({ tenants: { acme: { allowedProviders: [] } } });
    expect(() => loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: empty }), ALL)).toThrow(ConfigError);
  });
});

describe('tenant policies named after Object.prototype members', () => {
  it('keeps a policy for a tenant named __proto__ (a plain object would drop it)', () => {
    const routes = loadRouteTable(
      envOf({ GATEWAY_ROUTES_JSON: '{"tenants":{"__proto__":{"allowedProviders":["anthropic"]}}}' }),
      ALL,
    );
    expect(
      ids(chooseRoute(routes, 'answer', routes.tenants.get('__proto__')?.allowedProviders, 10).chain),
    ).toEqual(['anthropic:claude-sonnet-5-5']);
    expect(
      ids(chooseRoute(routes, 'answer', routes.tenants.get('constructor')?.allowedProviders, 10).chain),
    ).toHaveLength(3);
  });

  it('refuses an invalid policy with the tenant named', () => {
    expect(() =>
      loadRouteTable(envOf({ GATEWAY_ROUTES_JSON: '{"tenants":{"acme":{"allowedProviders":[]}}}' }), ALL),
    ).toThrow(/GATEWAY_ROUTES_JSON at tenants\.acme/);
  });
});
