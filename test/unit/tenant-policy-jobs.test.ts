// The `jobs` key of the tenant policy document: job limits merged key by key over the built-in ones, the
// webhook's URL and secret set (and inherited) only as a pair, and every bad value stopping the start with
// the variable and the field's full path.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';
import { DEFAULT_JOBS_POLICY } from '../../subgraph/tenancy/jobs-policy';

const inline = (document: unknown) =>
  loadConfig({ NODE_ENV: 'test', TENANT_POLICIES_JSON: JSON.stringify(document) }).tenants;
const SECRET = 'whsec-0123456789abcdef';

describe('the tenant policy `jobs` key', () => {
  it('gives a tenant without one the built-in job limits and no webhook', () => {
    expect(inline({ tenants: { acme: { tier: 'gold' } } }).forTenant('acme').jobs).toEqual({
      maxQueued: 1_000,
      maxRunning: 4,
    });
    expect(DEFAULT_JOBS_POLICY.webhook).toBeUndefined();
  });

  it('merges job limits key by key: the tenant over the default over the built-in ones', () => {
    const policies = inline({
      default: { jobs: { maxQueued: 50 } },
      tenants: { acme: { jobs: { maxRunning: 1 } }, globex: { jobs: { maxQueued: 5, maxRunning: 9 } } },
    });
    expect(policies.forTenant('acme').jobs).toEqual({ maxQueued: 50, maxRunning: 1 });
    expect(policies.forTenant('globex').jobs).toEqual({ maxQueued: 5, maxRunning: 9 });
    expect(policies.forTenant('initech').jobs).toEqual({ maxQueued: 50, maxRunning: 4 });
  });

  it("resolves the webhook as a pair: a tenant's own, else the default's", () => {
    const policies = inline({
      default: { jobs: { webhookUrl: 'https://ops.example.com/ai-jobs', webhookSecret: SECRET } },
      tenants: {
        acme: {
          jobs: {
            webhookUrl: 'http://hooks.acme.test:8080/jobs?src=ai',
            webhookSecret: 'acme-secret-0123456',
          },
        },
        globex: { jobs: { maxRunning: 2 } },
      },
    });
    expect(policies.forTenant('acme').jobs.webhook).toEqual({
      url: 'http://hooks.acme.test:8080/jobs?src=ai',
      secret: 'acme-secret-0123456',
    });
    expect(policies.forTenant('globex').jobs).toEqual({
      maxQueued: 1_000,
      maxRunning: 2,
      webhook: { url: 'https://ops.example.com/ai-jobs', secret: SECRET },
    });
  });

  it.each([
    [{ maxQueued: 0 }, 'tenants.acme.jobs.maxQueued: expects an integer between 1 and 1000000'],
    [{ maxQueued: 2.5 }, 'tenants.acme.jobs.maxQueued: expects an integer between 1 and 1000000'],
    [{ maxRunning: 0 }, 'tenants.acme.jobs.maxRunning: expects an integer between 1 and 10000'],
    [{ maxRunning: '4' }, 'tenants.acme.jobs.maxRunning: '],
    [
      { webhookUrl: 'https://hooks.acme.test/x' },
      'tenants.acme.jobs.webhookSecret: is required with webhookUrl',
    ],
    [{ webhookSecret: SECRET }, 'tenants.acme.jobs.webhookUrl: is required with webhookSecret'],
    [
      { webhookUrl: 'ftp://hooks.acme.test/x', webhookSecret: SECRET },
      'tenants.acme.jobs.webhookUrl: expects an http(s) URL',
    ],
    [
      { webhookUrl: 'hooks.acme.test/x', webhookSecret: SECRET },
      'tenants.acme.jobs.webhookUrl: expects an http(s) URL',
    ],
    [
      { webhookUrl: 'https://hooks.acme.test/x', webhookSecret: 'too-short' },
      'tenants.acme.jobs.webhookSecret: expects a secret of 16 to 256 characters',
    ],
    [{ webhookURL: 'https://hooks.acme.test/x' }, 'tenants.acme.jobs.webhookURL: unrecognized key'],
  ])('refuses %j, naming the field', (jobs, expected) => {
    const load = () => inline({ tenants: { acme: { jobs } } });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`TENANT_POLICIES_JSON at ${expected}`);
  });

  it('checks the default entry the same way', () => {
    expect(() => inline({ default: { jobs: { webhookSecret: SECRET } } })).toThrow(
      'TENANT_POLICIES_JSON at default.jobs.webhookUrl: is required with webhookSecret',
    );
  });

  it('never puts the webhook secret in the error message', () => {
    const secret = 'a-secret-that-must-not-be-echoed';
    expect(() => inline({ tenants: { acme: { jobs: { webhookSecret: secret } } } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(secret) as unknown }),
    );
  });
});
