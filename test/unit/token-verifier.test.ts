// Token verification and the Authorization header, in-process with real jose tokens: every refusal is typed,
// the tenant comes only from the verified claim, scopes come from `scope` or `scp`, and verified tokens are
// remembered only while they are valid. Also the key sources' own failures: a JWKS mid-rotation or away, and
// an AUTH_PUBLIC_KEY that cannot be used.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { KeyLike } from 'jose';
import { authenticate } from '../../subgraph/auth/authenticate';
import { mintToken } from '../../subgraph/auth/mint-token';
import { createTokenVerifier } from '../../subgraph/auth/token-verifier';
import type { TokenVerifier } from '../../subgraph/auth/token-verifier';
import type { Config } from '../../subgraph/config';
import { AuthenticationError } from '../../subgraph/errors/authentication-error';
import { ConfigError } from '../../subgraph/errors/config-error';
import { loadTenantPolicies } from '../../subgraph/tenancy/tenant-policies';
import { capturingLogger } from '../support/logs';

const SECRET = 'unit-test-secret-that-is-long-enough-for-hs256-0123456789';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'ai-subgraph';

const auth = (overrides: Partial<Config['auth']> = {}): Config['auth'] => ({
  key: { kind: 'secret', secret: SECRET, development: false },
  issuer: ISSUER,
  audience: AUDIENCE,
  tenantClaim: 'tenant_id',
  clockToleranceSeconds: 0,
  ...overrides,
});

const mint = (overrides: Partial<Parameters<typeof mintToken>[0]> = {}) =>
  mintToken({ secret: SECRET, tenantId: 'acme', issuer: ISSUER, audience: AUDIENCE, ...overrides });

interface SignOptions {
  expiresAt?: number;
  notBefore?: number;
  alg?: string;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs arbitrary claims with the test secret, for payloads mintToken would never produce: for ISSUER and
 * AUDIENCE, HS256, valid now and for ten minutes, unless told otherwise.
 */
const sign = (
  claims: Record<string, unknown>,
  { expiresAt = nowSeconds() + 600, notBefore, alg = 'HS256' }: SignOptions = {},
) => {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(expiresAt);
  if (notBefore !== undefined) jwt.setNotBefore(notBefore);
  return jwt.sign(new TextEncoder().encode(SECRET));
};

async function failureOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (AuthenticationError.isInstance(error)) return error.failure;
    throw error;
  }
  throw new Error('expected an AuthenticationError');
}

describe('token verifier', () => {
  let verify: TokenVerifier;

  beforeAll(async () => {
    verify = await createTokenVerifier(auth(), loadTenantPolicies(undefined));
  });

  it('returns the tenant, subject and scopes of a valid token', async () => {
    const context = await verify(await mint({ subject: 'ann', scopes: ['ai:read', 'ai:write'] }));
    expect(context.tenantId).toBe('acme');
    expect(context.subject).toBe('ann');
    expect([...context.scopes].sort()).toEqual(['ai:read', 'ai:write']);
  });

  it("carries the token's exp as tokenExpiresAt, in epoch milliseconds", async () => {
    const expiresAt = nowSeconds() + 321;
    expect((await verify(await sign({ tenant_id: 'acme' }, { expiresAt }))).tokenExpiresAt).toBe(
      expiresAt * 1000,
    );
  });

  it('reads scopes from an scp array or string, and from a space-separated scope', async () => {
    const fromArray = await verify(await sign({ tenant_id: 'acme', scp: ['a', 7, 'b'] }));
    expect([...fromArray.scopes].sort()).toEqual(['a', 'b']);
    const fromString = await verify(await sign({ tenant_id: 'acme', scp: 'c  d' }));
    expect([...fromString.scopes].sort()).toEqual(['c', 'd']);
    const both = await verify(await sign({ tenant_id: 'acme', scope: ' e   f ', scp: ['g'] }));
    expect([...both.scopes].sort()).toEqual(['e', 'f', 'g']);
    const none = await verify(await sign({ tenant_id: 'acme', sub: 42 }));
    expect(none.scopes.size).toBe(0);
    expect(none.subject).toBeNull();
  });

  it.each([
    ['not.a-jwt!', 'malformed'],
    ['only-one-part', 'malformed'],
  ])('refuses %s as %s before verifying it', async (token, failure) => {
    expect(await failureOf(verify(token))).toBe(failure);
  });

  it('refuses a token signed with another secret', async () => {
    expect(await failureOf(verify(await mint({ secret: `${SECRET}-other` })))).toBe('bad-signature');
  });

  it('refuses expired tokens, wrong issuers and wrong audiences, each by name', async () => {
    expect(await failureOf(verify(await mint({ expiresInSeconds: -10 })))).toBe('expired');
    expect(await failureOf(verify(await mint({ issuer: 'https://elsewhere' })))).toBe('wrong-issuer');
    expect(await failureOf(verify(await mint({ audience: 'another-api' })))).toBe('wrong-audience');
  });

  it('refuses a token not yet valid', async () => {
    const early = await sign(
      { tenant_id: 'acme' },
      { notBefore: nowSeconds() + 600, expiresAt: nowSeconds() + 1200 },
    );
    expect(await failureOf(verify(early))).toBe('not-yet-valid');
  });

  it('refuses a token without exp as missing-expiry: it would be valid forever', async () => {
    const forever = await new SignJWT({ tenant_id: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    expect(await failureOf(verify(forever))).toBe('missing-expiry');
  });

  it('refuses a token issued in the future beyond the clock tolerance as not-yet-valid', async () => {
    const tolerant = await createTokenVerifier(
      auth({ clockToleranceSeconds: 5 }),
      loadTenantPolicies(undefined),
    );
    const issuedAt = (seconds: number) => sign({ tenant_id: 'acme', iat: nowSeconds() + seconds });
    expect(await failureOf(tolerant(await issuedAt(60)))).toBe('not-yet-valid');
    expect(await failureOf(tolerant(await issuedAt(7)))).toBe('not-yet-valid');
    expect((await tolerant(await issuedAt(2))).tenantId).toBe('acme');
    expect((await tolerant(await issuedAt(-3600))).tenantId).toBe('acme');
  });

  it('refuses an algorithm that is not allowed', async () => {
    const hs512 = await sign({ tenant_id: 'acme' }, { alg: 'HS512' });
    expect(await failureOf(verify(hs512))).toBe('algorithm-not-allowed');
    const allowing = await createTokenVerifier(
      auth({ algorithms: ['HS512'] }),
      loadTenantPolicies(undefined),
    );
    expect((await allowing(hs512)).tenantId).toBe('acme');
  });

  it('refuses a missing or empty tenant as missing-tenant, and a bad one as invalid-tenant', async () => {
    expect(await failureOf(verify(await sign({})))).toBe('missing-tenant');
    expect(await failureOf(verify(await sign({ tenant_id: '' })))).toBe('missing-tenant');
    expect(await failureOf(verify(await sign({ tenant_id: null })))).toBe('missing-tenant');
    expect(await failureOf(verify(await sign({ tenant_id: 'has space' })))).toBe('invalid-tenant');
    expect(await failureOf(verify(await sign({ tenant_id: 7 })))).toBe('invalid-tenant');
    expect(await failureOf(verify(await sign({ tenant_id: 'x'.repeat(65) })))).toBe('invalid-tenant');
    expect((await verify(await sign({ tenant_id: 'x'.repeat(64) }))).tenantId).toBe('x'.repeat(64));
  });

  it('reads the tenant from the configured claim only', async () => {
    const custom = await createTokenVerifier(auth({ tenantClaim: 'org' }), loadTenantPolicies(undefined));
    expect((await custom(await mint({ tenantClaim: 'org', tenantId: 'org-1' }))).tenantId).toBe('org-1');
    expect(await failureOf(custom(await mint({ tenantId: 'acme' })))).toBe('missing-tenant');
  });

  it('remembers a verified token until it expires, and not after', async () => {
    const token = await sign({ tenant_id: 'acme' }, { expiresAt: nowSeconds() + 2 });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await failureOf(verify(token))).toBe('expired');
  });
});

describe('authenticate', () => {
  let verify: TokenVerifier;
  const { logger, lines } = capturingLogger('warn');

  beforeAll(async () => {
    verify = await createTokenVerifier(auth(), loadTenantPolicies(undefined));
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('accepts a Bearer header over HTTP, in any case and with extra spaces after it', async () => {
    const token = await mint();
    expect((await authenticate(verify, logger, `Bearer ${token}`, 'http')).tenantId).toBe('acme');
    expect((await authenticate(verify, logger, `bearer   ${token}  `, 'http')).tenantId).toBe('acme');
    expect(lines).toEqual([]);
  });

  it('accepts a bare token over WebSocket but not over HTTP', async () => {
    const token = await mint();
    expect((await authenticate(verify, logger, token, 'ws')).tenantId).toBe('acme');
    expect(await failureOf(authenticate(verify, logger, token, 'http'))).toBe('malformed');
  });

  it.each([
    [undefined, 'missing-token'],
    [null, 'missing-token'],
    ['', 'missing-token'],
    [42, 'malformed'],
    ['Bearer', 'malformed'],
    ['Bearer a b', 'malformed'],
  ])('refuses %p as %s and logs why', async (authorization, failure) => {
    expect(await failureOf(authenticate(verify, logger, authorization, 'http'))).toBe(failure);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      msg: 'authentication refused',
      transport: 'http',
      failure,
    });
  });

  it("passes the verifier's refusal on with its cause, and turns other errors into malformed", async () => {
    expect(
      await failureOf(authenticate(verify, logger, `Bearer ${await mint({ secret: 'x'.repeat(40) })}`, 'ws')),
    ).toBe('bad-signature');
    const broken: TokenVerifier = () => Promise.reject(new Error('verifier crashed'));
    expect(await failureOf(authenticate(broken, logger, 'Bearer a.b.c', 'http'))).toBe('malformed');
    expect(lines.map((line) => (JSON.parse(line) as { failure: string }).failure)).toEqual([
      'bad-signature',
      'malformed',
    ]);
  });
});

/** An HTTP server on a free local port answering every request with `status` and `body`; stop() closes it. */
async function serve(status: number, body: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = createServer((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(body),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

const jwksVerifier = (url: string) =>
  createTokenVerifier(auth({ key: { kind: 'jwks', url } }), loadTenantPolicies(undefined));

const signRs256 = (key: KeyLike, tenant: string) =>
  new SignJWT({ tenant_id: tenant })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(nowSeconds() + 600)
    .sign(key);

describe('token verifier with a JWKS URL', () => {
  it('accepts a token without kid signed by any key of a set mid-rotation, and refuses another key', async () => {
    const [old, current, stranger] = await Promise.all([1, 2, 3].map(() => generateKeyPair('RS256')));
    const keys = await Promise.all([old, current].map(async (pair) => exportJWK(pair!.publicKey)));
    const jwks = await serve(200, JSON.stringify({ keys }));
    try {
      const verify = await jwksVerifier(jwks.url);
      expect((await verify(await signRs256(current!.privateKey, 'rotated'))).tenantId).toBe('rotated');
      expect((await verify(await signRs256(old!.privateKey, 'before'))).tenantId).toBe('before');
      expect(await failureOf(verify(await signRs256(stranger!.privateKey, 'acme')))).toBe('bad-signature');
    } finally {
      await jwks.stop();
    }
  });

  it('refuses as key-unavailable when the JWKS endpoint answers 500 or refuses the connection', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signRs256(privateKey, 'acme');
    const failing = await serve(500, '{}');
    try {
      expect(await failureOf((await jwksVerifier(failing.url))(token))).toBe('key-unavailable');
    } finally {
      await failing.stop();
    }
    // The port was just freed, so nothing listens on it.
    expect(await failureOf((await jwksVerifier(failing.url))(token))).toBe('key-unavailable');
  });
});

describe('token verifier with AUTH_PUBLIC_KEY', () => {
  const pemVerifier = (pem: string, algorithms?: string[]) =>
    createTokenVerifier(
      auth({ key: { kind: 'public-key', pem }, ...(algorithms ? { algorithms } : {}) }),
      loadTenantPolicies(undefined),
    );

  async function configErrorOf(work: Promise<unknown>): Promise<ConfigError> {
    const error: unknown = await work.then(
      () => new Error('expected a ConfigError'),
      (thrown: unknown) => thrown,
    );
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }

  it('accepts a token signed by the matching private key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const verify = await pemVerifier(await exportSPKI(publicKey));
    expect((await verify(await signRs256(privateKey, 'pem-tenant'))).tenantId).toBe('pem-tenant');
  });

  it('refuses a malformed PEM with a ConfigError naming AUTH_PUBLIC_KEY and the algorithm', async () => {
    const truncated =
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----';
    const error = await configErrorOf(pemVerifier(truncated));
    expect(error.message).toMatch(/^AUTH_PUBLIC_KEY is not a usable RS256 public key: .*asn1/);
    // The OpenSSL error itself (from Node's realm, so matched by shape).
    expect(error.cause).toMatchObject({ message: expect.stringMatching(/asn1/) });
  });

  it('refuses a PEM that fits none of the algorithms with a ConfigError naming both, and accepts one that fits some', async () => {
    const ec = await exportSPKI((await generateKeyPair('ES256')).publicKey);
    expect((await configErrorOf(pemVerifier(ec))).message).toMatch(/^AUTH_PUBLIC_KEY .* RS256 public key: /);
    expect((await configErrorOf(pemVerifier(ec, ['RS256', 'PS256']))).message).toMatch(
      /^AUTH_PUBLIC_KEY .* RS256 public key: /,
    );
    expect(await pemVerifier(ec, ['ES256'])).toBeInstanceOf(Function);
    // README's example list with an RSA key: the key fits one of them, so the start goes on.
    const rsa = await exportSPKI((await generateKeyPair('RS256')).publicKey);
    expect(await pemVerifier(rsa, ['RS256', 'ES256'])).toBeInstanceOf(Function);
  });
});
