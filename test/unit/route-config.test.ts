// Routing as data: default chains follow the configured providers, the small-model chain serves short
// summaries, a tenant's allowed providers filter targets, and bad GATEWAY_ROUTES_* stop the start with a
// ConfigError.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../subgraph/errors/config-error';
import { loadConfig } from '../../subgraph/config';
import type { ProviderName } from '../../subgraph/gateway/providers/registry';
import { defaultRoutes, targetId } from '../../subgraph/gateway/routing/route-config';
import type { RouteTable, Target } from '../../subgraph/gateway/routing/route-config';
import { chooseRoute } from '../../subgraph/gateway/routing/router';
import { warnOfUnpricedTargets } from '../../subgraph/gateway/unpriced-targets';
import { capturingLogger } from '../support/logs';

const CREDENTIALS: Record<ProviderName, Record<string, string>> = {
  openai: { OPENAI_API_KEY: 'k' },
  anthropic: { ANTHROPIC_API_KEY: 'k' },
  selfhosted: { SELFHOSTED_BASE_URL: 'http://127.0.0.1:9/v1' },
};
const ALL: ProviderName[] = ['openai', 'anthropic', 'selfhosted'];

/** The gateway section loadConfig builds with `configured` providers and the other variables given. */
const gatewayOf = (configured: readonly ProviderName[] = ALL, vars: Record<string, string> = {}) =>
  loadConfig(Object.assign({ NODE_ENV: 'test' }, ...configured.map((name) => CREDENTIALS[name]), vars))
    .gateway;
const routesOf = (configured: readonly ProviderName[] = ALL, vars: Record<string, string> = {}) =>
  defaultRoutes(gatewayOf(configured, vars).providers, Number(vars.SMALL_MODEL_MAX_INPUT_CHARS ?? 4000));
const tableOf = (vars: Record<string, string> = {}, configured: readonly ProviderName[] = ALL): RouteTable =>
  gatewayOf(configured, vars).routes;
const ids = (targets: readonly Target[]) => targets.map(targetId);

describe('default routes', () => {
  it('chain openai, anthropic, selfhosted in that order when all three are configured', () => {
    const routes = routesOf();
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
    const routes = routesOf(ALL, {
      OPENAI_MODEL: 'o-big',
      OPENAI_SMALL_MODEL: 'o-small',
      ANTHROPIC_MODEL: 'a-big',
      ANTHROPIC_SMALL_MODEL: 'a-small',
      SELFHOSTED_MODEL: 'local',
      SELFHOSTED_EMBEDDING_MODEL: 'local-embed',
      SMALL_MODEL_MAX_INPUT_CHARS: '123',
    });
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
    const routes = routesOf(['anthropic']);
    expect(ids(routes.answer.chain)).toEqual(['anthropic:claude-sonnet-5-5']);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual(['anthropic:claude-haiku-4-5']);
    expect(routes.embed.chain).toEqual([]);
  });

  it('hold only selfhosted when only a self-hosted base URL is configured', () => {
    const routes = routesOf(['selfhosted']);
    expect(ids(routes.answer.chain)).toEqual(['selfhosted:llama3.1:8b']);
    expect(ids(routes.summarize.small?.chain ?? [])).toEqual(['selfhosted:llama3.1:8b']);
    expect(routes.embed.chain).toEqual([]);
  });

  it('are empty, with no small chain, when no provider is configured', () => {
    const routes = routesOf([]);
    expect(routes.answer.chain).toEqual([]);
    expect(routes.summarize.chain).toEqual([]);
    expect(routes.summarize.small).toBeUndefined();
    expect(routes.embed.chain).toEqual([]);
  });
});

describe('chooseRoute', () => {
  const table = tableOf();

  it('takes the small chain for a summary up to SMALL_MODEL_MAX_INPUT_CHARS, the main chain above', () => {
    expect(ids(chooseRoute(table, 'summarize', undefined, 4000).chain)[0]).toBe('openai:gpt-4.1-nano');
    expect(ids(chooseRoute(table, 'summarize', undefined, 0).chain)[0]).toBe('openai:gpt-4.1-nano');
    expect(ids(chooseRoute(table, 'summarize', undefined, 4001).chain)[0]).toBe('openai:gpt-4.1-mini');
  });

  it('never takes a small chain for answers, however short the input', () => {
    expect(ids(chooseRoute(table, 'answer', undefined, 10).chain)).toEqual(ids(table.tasks.answer.chain));
  });

  it('keeps only the providers a tenant policy allows, in chain order', () => {
    const { tenants } = loadConfig({
      NODE_ENV: 'test',
      TENANT_POLICIES_JSON: JSON.stringify({
        tenants: {
          acme: { allowedProviders: ['selfhosted', 'anthropic'] },
          locked: { allowedProviders: ['selfhosted'] },
        },
      }),
    });
    const allowed = (tenantId: string) => tenants.forTenant(tenantId).allowedProviders;
    const acme = chooseRoute(table, 'answer', allowed('acme'), 10_000);
    expect(ids(acme.chain)).toEqual(['anthropic:claude-sonnet-5-5', 'selfhosted:llama3.1:8b']);
    expect(acme.restrictedByPolicy).toBe(false);
    expect(ids(chooseRoute(table, 'summarize', allowed('locked'), 10).chain)).toEqual([
      'selfhosted:llama3.1:8b',
    ]);
    // A tenant without a policy gets the whole chain.
    expect(allowed('globex')).toBeUndefined();
    expect(ids(chooseRoute(table, 'answer', allowed('globex'), 10_000).chain)).toHaveLength(3);
  });

  it('says when the policy removed every target rather than falling back to a forbidden provider', () => {
    const routes = tableOf({
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: { answer: { chain: [{ provider: 'openai', model: 'm1' }] } },
      }),
    });
    const choice = chooseRoute(routes, 'answer', ['selfhosted'], 10);
    expect(choice.chain).toEqual([]);
    expect(choice.restrictedByPolicy).toBe(true);
    const noProviders = tableOf({}, []);
    expect(chooseRoute(noProviders, 'answer', ['selfhosted'], 10).restrictedByPolicy).toBe(false);
  });

  it('serves a short input from the main chain when the policy allows none of the small chain', () => {
    // Found by a review: a 100-character summary failed PROVIDER_NOT_ALLOWED where a long one was served.
    const routes = tableOf({
      GATEWAY_ROUTES_JSON: JSON.stringify({
        tasks: {
          summarize: {
            chain: [
              { provider: 'openai', model: 'o-big' },
              { provider: 'anthropic', model: 'a-big' },
            ],
            small: { maxInputChars: 4000, chain: [{ provider: 'openai', model: 'o-small' }] },
          },
        },
      }),
    });
    const short = chooseRoute(routes, 'summarize', ['anthropic'], 100);
    expect(ids(short.chain)).toEqual(['anthropic:a-big']);
    expect(short.restrictedByPolicy).toBe(false);
    expect(ids(chooseRoute(routes, 'summarize', undefined, 100).chain)).toEqual(['openai:o-small']);
    expect(chooseRoute(routes, 'summarize', ['selfhosted'], 100).restrictedByPolicy).toBe(true);
  });
});

describe('the route table from GATEWAY_ROUTES_JSON and GATEWAY_ROUTES_FILE', () => {
  const override = {
    tasks: { answer: { chain: [{ provider: 'openai', model: 'm1', timeoutMs: 300 }], deadlineMs: 1500 } },
  };

  it('replaces the named task and keeps the defaults of the others', () => {
    const routes = tableOf({ GATEWAY_ROUTES_JSON: JSON.stringify(override) });
    expect(routes.tasks.answer).toEqual({
      chain: [{ provider: 'openai', model: 'm1', timeoutMs: 300 }],
      deadlineMs: 1500,
    });
    expect(chooseRoute(routes, 'answer', undefined, 10).deadlineMs).toBe(1500);
    expect(ids(routes.tasks.summarize.chain)).toHaveLength(3);
    expect(Object.keys(routes)).toEqual(['tasks']);
  });

  it('reads the same shape from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routes-'));
    try {
      const file = join(dir, 'routes.json');
      writeFileSync(file, JSON.stringify(override));
      const routes = tableOf({ GATEWAY_ROUTES_FILE: file });
      expect(ids(routes.tasks.answer.chain)).toEqual(['openai:m1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws ConfigError naming the variable for JSON that does not parse', () => {
    const load = () => tableOf({ GATEWAY_ROUTES_JSON: '{"tasks": {' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^GATEWAY_ROUTES_JSON expects readable JSON/);
  });

  it('throws ConfigError for a file that cannot be read', () => {
    const load = () => tableOf({ GATEWAY_ROUTES_FILE: join(tmpdir(), 'no-such-routes-file.json') });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^GATEWAY_ROUTES_FILE expects readable JSON/);
  });

  it('throws ConfigError when both variables are set', () => {
    const load = () => tableOf({ GATEWAY_ROUTES_FILE: '/tmp/routes.json', GATEWAY_ROUTES_JSON: '{}' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow('GATEWAY_ROUTES_FILE and GATEWAY_ROUTES_JSON are exclusive: set one');
  });

  it('throws ConfigError for a provider it does not know', () => {
    const json = JSON.stringify({ tasks: { answer: { chain: [{ provider: 'gemini', model: 'g' }] } } });
    const load = () => tableOf({ GATEWAY_ROUTES_JSON: json });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^GATEWAY_ROUTES_JSON at tasks\.answer\.chain\.0\.provider/);
  });

  it('throws ConfigError for a top-level key it does not know', () => {
    const load = () => tableOf({ GATEWAY_ROUTES_JSON: JSON.stringify({ task: {} }) });
    expect(load).toThrow('GATEWAY_ROUTES_JSON at task: unrecognized key');
  });

  it('throws ConfigError for a route to a provider without credentials or base URL', () => {
    const json = JSON.stringify({ tasks: { answer: { chain: [{ provider: 'selfhosted', model: 'x' }] } } });
    const load = () => tableOf({ GATEWAY_ROUTES_JSON: json }, ['openai']);
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
    expect(() => tableOf({ GATEWAY_ROUTES_JSON: json }, ['openai'])).toThrow(/routes summarize to anthropic/);
  });

  it.each([
    [
      'tasks.answer.chain.0.timeoutMS',
      { answer: { chain: [{ provider: 'openai', model: 'm1', timeoutMS: 100 }] } },
    ],
    ['tasks.answer.deadline', { answer: { chain: [{ provider: 'openai', model: 'm1' }], deadline: 100 } }],
    [
      'tasks.summarize.small.hedge',
      {
        summarize: {
          chain: [{ provider: 'openai', model: 'm1' }],
          small: { maxInputChars: 10, chain: [{ provider: 'openai', model: 'm1' }], hedge: false },
        },
      },
    ],
  ])(
    'throws ConfigError for a key it does not know inside a route (at %s), not dropping it',
    (path, tasks) => {
      const load = () => tableOf({ GATEWAY_ROUTES_JSON: JSON.stringify({ tasks }) });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(`GATEWAY_ROUTES_JSON at ${path}: unrecognized key`);
    },
  );

  it('refuses a small chain on embeddings, which would always win over the main chain', () => {
    const json = JSON.stringify({
      tasks: {
        embed: {
          chain: [{ provider: 'openai', model: 'text-embedding-3-small' }],
          small: { maxInputChars: 10, chain: [{ provider: 'openai', model: 'text-embedding-3-large' }] },
        },
      },
    });
    expect(() => tableOf({ GATEWAY_ROUTES_JSON: json })).toThrow(
      'GATEWAY_ROUTES_JSON at tasks.embed.small: embeddings have no small chain; remove it',
    );
  });

  it('refuses a route to a per-token model without a price in production, naming MODEL_PRICES_JSON and the targets', () => {
    // Found by a review: an unpriced model cost 0, so spend caps never stopped its calls.
    const json = JSON.stringify({
      tasks: {
        answer: {
          chain: [
            { provider: 'openai', model: 'gpt-next' },
            { provider: 'selfhosted', model: 'local' },
          ],
        },
      },
    });
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(32) };
    const load = () => tableOf({ ...production, GATEWAY_ROUTES_JSON: json });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^MODEL_PRICES_JSON has no price for openai:gpt-next, which the routes use/);
    // The models a provider's own variables name are checked as well; a self-hosted model needs no price.
    expect(() => tableOf({ ...production, OPENAI_MODEL: 'gpt-next' })).toThrow(/openai:gpt-next/);
    const priced = JSON.stringify({ 'openai:gpt-next': { inputPerMillion: 1, outputPerMillion: 2 } });
    expect(() =>
      tableOf({ ...production, GATEWAY_ROUTES_JSON: json, MODEL_PRICES_JSON: priced }),
    ).not.toThrow();
    // Outside production the start goes on, and the start log warns of the unpriced targets.
    const { unpricedTargets } = gatewayOf(ALL, { GATEWAY_ROUTES_JSON: json });
    expect(unpricedTargets).toEqual(['openai:gpt-next']);
    const { logger, lines } = capturingLogger('info');
    warnOfUnpricedTargets(unpricedTargets, logger);
    warnOfUnpricedTargets([], logger);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        level: 40,
        unpriced: ['openai:gpt-next'],
        msg: 'targets without a price count as free against spend caps and in usage: set MODEL_PRICES_JSON',
      }),
    ]);
  });

  it('throws ConfigError for out-of-range timeouts', () => {
    const tooShort = JSON.stringify({
      tasks: { answer: { chain: [{ provider: 'openai', model: 'm', timeoutMs: 1 }] } },
    });
    expect(() => tableOf({ GATEWAY_ROUTES_JSON: tooShort })).toThrow(
      /^GATEWAY_ROUTES_JSON at tasks\.answer\.chain\.0\.timeoutMs/,
    );
  });

  it.each(['GATEWAY_ROUTES_JSON', 'GATEWAY_ROUTES_FILE'])(
    'refuses a `tenants` block in %s, saying where tenant policies moved',
    (variable) => {
      const dir = mkdtempSync(join(tmpdir(), 'routes-'));
      try {
        const json = JSON.stringify({ tenants: { acme: { allowedProviders: ['selfhosted'] } } });
        const file = join(dir, 'routes.json');
        writeFileSync(file, json);
        const load = () => tableOf({ [variable]: variable === 'GATEWAY_ROUTES_FILE' ? file : json });
        expect(load).toThrow(ConfigError);
        expect(load).toThrow(
          new RegExp(
            `^${variable} at tenants: tenant policies moved to TENANT_POLICIES_FILE / TENANT_POLICIES_JSON`,
          ),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('hedging in the route table', () => {
  const answerWith = (hedge: unknown) =>
    JSON.stringify({ tasks: { answer: { chain: [{ provider: 'openai', model: 'm1' }], hedge } } });

  it('is on by default for answer and summarize, off for embed and guard', () => {
    const routes = tableOf();
    expect(chooseRoute(routes, 'answer', undefined, 10).hedge).toBe(true);
    expect(chooseRoute(routes, 'summarize', undefined, 10).hedge).toBe(true);
    expect(chooseRoute(routes, 'embed', undefined, 10).hedge).toBe(false);
    expect(chooseRoute(routes, 'guard', undefined, 10).hedge).toBe(false);
  });

  it('takes a route’s own setting: off, or a fixed delay', () => {
    expect(
      chooseRoute(tableOf({ GATEWAY_ROUTES_JSON: answerWith(false) }), 'answer', undefined, 10).hedge,
    ).toBe(false);
    const fixed = tableOf({ GATEWAY_ROUTES_JSON: answerWith({ afterMs: 150 }) });
    expect(chooseRoute(fixed, 'answer', undefined, 10).hedge).toEqual({ afterMs: 150 });
    expect(chooseRoute(fixed, 'summarize', undefined, 10).hedge).toBe(true);
  });

  it.each([
    ['a delay below 10 ms', { afterMs: 5 }, /^GATEWAY_ROUTES_JSON at tasks\.answer\.hedge\.afterMs: /],
    [
      'a delay that is not a number',
      { afterMs: 'soon' },
      'GATEWAY_ROUTES_JSON at tasks.answer.hedge: expected false, true or { "afterMs": an integer from 10 to 120000 }',
    ],
    [
      'a key it does not know',
      { after: 100 },
      'GATEWAY_ROUTES_JSON at tasks.answer.hedge.after: unrecognized key',
    ],
    [
      'a value of the wrong kind',
      'yes',
      'GATEWAY_ROUTES_JSON at tasks.answer.hedge: expected false, true or { "afterMs": an integer from 10 to 120000 }',
    ],
  ])('throws ConfigError naming the field for %s', (_name, hedge, message) => {
    const load = () => tableOf({ GATEWAY_ROUTES_JSON: answerWith(hedge) });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  it('refuses hedging on embeddings, naming the field', () => {
    const json = JSON.stringify({
      tasks: { embed: { chain: [{ provider: 'openai', model: 'text-embedding-3-small' }], hedge: true } },
    });
    expect(() => tableOf({ GATEWAY_ROUTES_JSON: json })).toThrow(
      'GATEWAY_ROUTES_JSON at tasks.embed.hedge: embeddings are never hedged; remove it',
    );
  });
});
