// Asymmetric keys: a PEM public key (RS256) and a JWKS URL, each accepting its own tokens and refusing the
// classic attacks on them; and the config rules that keep exactly one key source and refuse none in production.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { KeyLike } from 'jose';
import { ConfigError } from '../../subgraph/errors/config-error';
import { loadConfig } from '../../subgraph/config';
import { gql, TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from '../support/subgraph';
import type { GraphQLResponse, TestSubgraph } from '../support/subgraph';
import { signRaw, validClaims } from '../support/tokens';
import { startHarness } from '../support/harness';
import { requirePostgres } from '../support/services';

// What this suite needs: without it the suite fails at once, with one line saying what to start.
requirePostgres();

const USAGE = '{ usage { tenantId } }';

interface UsageData {
  usage: { tenantId: string };
}

function signWith(key: KeyLike, header: { alg: string; kid?: string }, tenant = 'acme'): Promise<string> {
  return new SignJWT(validClaims(tenant)).setProtectedHeader(header).sign(key);
}

function expectServedTo(response: GraphQLResponse<UsageData>, tenant: string): void {
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data?.usage.tenantId).toBe(tenant);
}

function expectUnauthenticated<Data>(response: GraphQLResponse<Data>): void {
  expect(response.status).toBe(401);
  expect(response.body.data ?? null).toBeNull();
  expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
}

describe('AUTH_PUBLIC_KEY with an RS256 PEM', () => {
  let subgraph: TestSubgraph;
  let privateKey: KeyLike;
  let publicPem: string;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    subgraph = await startHarness({ env: { AUTH_JWT_SECRET: undefined, AUTH_PUBLIC_KEY: publicPem } });
  });
  afterAll(async () => {
    await subgraph.stop();
  });

  const usage = (token: string) => gql<UsageData>(subgraph.url, USAGE, { token });

  it('accepts a token signed by the matching private key', async () => {
    expectServedTo(await usage(await signWith(privateKey, { alg: 'RS256' }, 'pem-tenant')), 'pem-tenant');
  });

  it('refuses an HS256 token signed with the PEM text as its secret (algorithm confusion)', async () => {
    expectUnauthenticated(await usage(await signRaw(validClaims('acme'), { secret: publicPem })));
  });

  it('refuses a token signed by another RSA key', async () => {
    const other = await generateKeyPair('RS256');
    expectUnauthenticated(await usage(await signWith(other.privateKey, { alg: 'RS256' })));
  });

  it('refuses a token signed with the old HS256 test secret', async () => {
    expectUnauthenticated(await usage(await signRaw(validClaims('acme'), { secret: TEST_JWT_SECRET })));
  });
});

describe('AUTH_JWKS_URL served by a JWKS endpoint', () => {
  const KID = 'key-2024-01';
  let subgraph: TestSubgraph;
  let jwksServer: Server;
  let privateKey: KeyLike;
  let jwksRequests = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] };
    jwksServer = createServer((req, res) => {
      jwksRequests += 1;
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    subgraph = await startHarness({
      env: {
        AUTH_JWT_SECRET: undefined,
        AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      },
    });
  });
  afterAll(async () => {
    await subgraph.stop();
    await new Promise<void>((resolve, reject) =>
      jwksServer.close((error) => (error ? reject(error) : resolve())),
    );
  });

  const usage = (token: string) => gql<UsageData>(subgraph.url, USAGE, { token });

  it('accepts a token whose kid names a key in the set, fetching the set from the URL', async () => {
    expectServedTo(
      await usage(await signWith(privateKey, { alg: 'RS256', kid: KID }, 'jwks-tenant')),
      'jwks-tenant',
    );
    expect(jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token whose kid is not in the set, even when signed by the right key', async () => {
    expectUnauthenticated(await usage(await signWith(privateKey, { alg: 'RS256', kid: 'unknown-kid' })));
  });

  it('refuses a token that names the known kid but is signed by another key', async () => {
    const other = await generateKeyPair('RS256');
    expectUnauthenticated(await usage(await signWith(other.privateKey, { alg: 'RS256', kid: KID })));
  });

  it('refuses an HS256 token, as a JWKS verifier allows only asymmetric algorithms', async () => {
    expectUnauthenticated(
      await usage(await signRaw(validClaims('acme'), { secret: TEST_JWT_SECRET, header: { kid: KID } })),
    );
  });
});

describe('config: auth key sources', () => {
  const base = { NODE_ENV: 'test', AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE };
  const PEM =
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----';
  const JWKS_URL = 'https://auth.example.com/.well-known/jwks.json';

  function configErrorOf(env: Record<string, string>): ConfigError {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected loadConfig to throw a ConfigError');
  }

  it('refuses AUTH_JWT_SECRET together with AUTH_PUBLIC_KEY, naming both', () => {
    const { message } = configErrorOf({ ...base, AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_PUBLIC_KEY: PEM });
    expect(message).toContain('AUTH_JWT_SECRET');
    expect(message).toContain('AUTH_PUBLIC_KEY');
  });

  it('refuses AUTH_JWT_SECRET together with AUTH_JWKS_URL, naming both', () => {
    const { message } = configErrorOf({ ...base, AUTH_JWT_SECRET: TEST_JWT_SECRET, AUTH_JWKS_URL: JWKS_URL });
    expect(message).toContain('AUTH_JWT_SECRET');
    expect(message).toContain('AUTH_JWKS_URL');
  });

  it('refuses AUTH_PUBLIC_KEY together with AUTH_JWKS_URL, naming both', () => {
    const { message } = configErrorOf({ ...base, AUTH_PUBLIC_KEY: PEM, AUTH_JWKS_URL: JWKS_URL });
    expect(message).toContain('AUTH_PUBLIC_KEY');
    expect(message).toContain('AUTH_JWKS_URL');
  });

  it('refuses to start in production with no auth key source', () => {
    const { message } = configErrorOf({ ...base, NODE_ENV: 'production' });
    expect(message).toMatch(/AUTH_JWT_SECRET|AUTH_PUBLIC_KEY|AUTH_JWKS_URL/);
    expect(message).toContain('production');
  });

  it('starts in production with exactly one key source', () => {
    const config = loadConfig({ ...base, NODE_ENV: 'production', AUTH_JWKS_URL: JWKS_URL });
    expect(config.auth.key).toEqual({ kind: 'jwks', url: JWKS_URL });
  });

  it('keeps a secret from the ConfigError that names it', () => {
    const { message } = configErrorOf({ ...base, AUTH_JWT_SECRET: 'too-short-secret-value' });
    expect(message).toContain('AUTH_JWT_SECRET');
    expect(message).not.toContain('too-short-secret-value');
  });
});
