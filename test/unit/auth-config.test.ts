// The auth rules loadConfig enforces before a token arrives (found by a review: each started cleanly, then
// refused every token or accepted the wrong ones): a JWKS URL over http(s), and https in production; iss and
// aud required with a public key or JWKS in every NODE_ENV; AUTH_ALGORITHMS only of the key's own kind.
import { loadConfig } from '../../subgraph/config';
import { ConfigError } from '../../subgraph/errors/config-error';

const PEM =
  '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----';
const SECRET = 's'.repeat(32);
const CLAIMS = { AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'ai-subgraph' };

function configErrorOf(env: Record<string, string>): string {
  try {
    loadConfig({ DATA_DIR: ':memory:', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('AUTH_JWKS_URL', () => {
  it.each(['idp.internal:8443/jwks', 'ftp://idp.internal/jwks'])(
    'refuses %s, which is not an http:// or https:// URL',
    (url) => {
      expect(configErrorOf({ ...CLAIMS, AUTH_JWKS_URL: url })).toBe(
        'AUTH_JWKS_URL expects an http:// or https:// URL',
      );
    },
  );

  it('refuses plain http in production, naming the variable', () => {
    expect(
      configErrorOf({ ...CLAIMS, NODE_ENV: 'production', AUTH_JWKS_URL: 'http://idp.internal/jwks' }),
    ).toBe('AUTH_JWKS_URL expects an https:// URL when NODE_ENV=production');
  });

  it('takes https in production, and plain http outside it (a local identity provider)', () => {
    const https = 'https://idp.internal/jwks';
    expect(loadConfig({ ...CLAIMS, NODE_ENV: 'production', AUTH_JWKS_URL: https }).auth.key).toEqual({
      kind: 'jwks',
      url: https,
    });
    const http = 'http://127.0.0.1:8080/jwks';
    expect(loadConfig({ ...CLAIMS, NODE_ENV: 'test', AUTH_JWKS_URL: http }).auth.key).toEqual({
      kind: 'jwks',
      url: http,
    });
  });
});

describe('AUTH_ISSUER and AUTH_AUDIENCE with a public key or JWKS', () => {
  it.each([
    ['NODE_ENV unset, HOST=0.0.0.0', { HOST: '0.0.0.0' }],
    ['NODE_ENV=test', { NODE_ENV: 'test' }],
    ['NODE_ENV=production', { NODE_ENV: 'production' }],
  ])('are both required with %s', (_name, mode) => {
    const keys: Record<string, string>[] = [
      { AUTH_PUBLIC_KEY: PEM },
      { AUTH_JWKS_URL: 'https://idp.example/jwks' },
    ];
    for (const key of keys) {
      expect(configErrorOf({ ...mode, ...key })).toBe(
        'AUTH_ISSUER expects a value with AUTH_PUBLIC_KEY or AUTH_JWKS_URL',
      );
      expect(configErrorOf({ ...mode, ...key, AUTH_ISSUER: CLAIMS.AUTH_ISSUER })).toBe(
        'AUTH_AUDIENCE expects a value with AUTH_PUBLIC_KEY or AUTH_JWKS_URL',
      );
      expect(loadConfig({ ...mode, ...key, ...CLAIMS }).auth).toMatchObject({
        issuer: CLAIMS.AUTH_ISSUER,
        audience: CLAIMS.AUTH_AUDIENCE,
      });
    }
  });

  it('are not required by the development secret (no AUTH_*) nor by AUTH_JWT_SECRET', () => {
    expect(loadConfig({ DATA_DIR: ':memory:' }).auth.key).toMatchObject({
      kind: 'secret',
      development: true,
    });
    expect(loadConfig({ AUTH_JWT_SECRET: SECRET }).auth.key).toMatchObject({
      kind: 'secret',
      development: false,
    });
  });
});

describe('AUTH_ALGORITHMS of the other key kind', () => {
  it.each([
    ['AUTH_JWT_SECRET', { AUTH_JWT_SECRET: SECRET }, 'RS256,ES256', 'RS256, ES256'],
    ['the development secret', {}, 'PS256', 'PS256'],
    ['AUTH_JWT_SECRET, in part', { AUTH_JWT_SECRET: SECRET }, 'HS256,RS256', 'RS256'],
  ])('are refused with %s: they need a public key', (_name, key, algorithms, foreign) => {
    const message = configErrorOf({ ...key, AUTH_ALGORITHMS: algorithms });
    expect(message).toMatch(/^AUTH_ALGORITHMS expects HS256, HS384 or HS512 with an HMAC secret/);
    expect(message).toContain(`only a public key (AUTH_PUBLIC_KEY or AUTH_JWKS_URL) verifies ${foreign}`);
  });

  it.each([
    ['AUTH_PUBLIC_KEY', { AUTH_PUBLIC_KEY: PEM }, 'HS256'],
    ['AUTH_JWKS_URL', { AUTH_JWKS_URL: 'https://idp.example/jwks' }, 'HS256,RS256'],
  ])('are refused with %s: they need an HMAC secret', (_name, key, algorithms) => {
    const message = configErrorOf({ ...CLAIMS, ...key, AUTH_ALGORITHMS: algorithms });
    expect(message).toMatch(/^AUTH_ALGORITHMS expects RS\*, PS\*, ES\* or EdDSA algorithms/);
    expect(message).toContain('only an HMAC secret (AUTH_JWT_SECRET) verifies HS256');
  });

  it("are taken when of the key's own kind", () => {
    expect(loadConfig({ AUTH_JWT_SECRET: SECRET, AUTH_ALGORITHMS: 'HS512' }).auth.algorithms).toEqual([
      'HS512',
    ]);
    expect(loadConfig({ ...CLAIMS, AUTH_PUBLIC_KEY: PEM, AUTH_ALGORITHMS: 'ES256' }).auth.algorithms).toEqual(
      ['ES256'],
    );
    expect(
      loadConfig({ ...CLAIMS, AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ALGORITHMS: 'RS256,EdDSA' })
        .auth.algorithms,
    ).toEqual(['RS256', 'EdDSA']);
  });
});
