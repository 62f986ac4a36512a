// Test tokens: valid ones for the test secret, and each kind of bad token the subgraph must refuse.
import { SignJWT } from 'jose';
import { mintToken } from '../../subgraph/auth/mint-token';
import { createTokenVerifier } from '../../subgraph/auth/token-verifier';
import type { TokenVerifier } from '../../subgraph/auth/token-verifier';
import { loadTenantPolicies } from '../../subgraph/tenancy/tenant-policies';
import { TEST_AUDIENCE, TEST_ISSUER, TEST_JWT_SECRET } from './subgraph';

export const ALL_SCOPES = ['ai:ingest', 'ai:admin'];

export function tokenFor(tenantId: string, scopes: string[] = ALL_SCOPES): Promise<string> {
  return mintToken({
    secret: TEST_JWT_SECRET,
    tenantId,
    scopes,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
  });
}

/** A token signed with the test secret from raw claims and header, for building every refusal case. */
export function signRaw(
  claims: Record<string, unknown>,
  options: { secret?: string; alg?: string; header?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', ...options.header })
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export function validClaims(tenantId = 'acme'): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    tenant_id: tenantId,
    sub: 'user-1',
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: now,
    exp: now + 600,
    scope: ALL_SCOPES.join(' '),
  };
}

/** `alg: none`: an unsigned token, which must never be accepted. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** A verifier for the tokens above, configured as the test subgraph's is (no tenant policies). */
export function testTokenVerifier(): Promise<TokenVerifier> {
  return createTokenVerifier(
    {
      key: { kind: 'secret', secret: TEST_JWT_SECRET, development: false },
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      tenantClaim: 'tenant_id',
      clockToleranceSeconds: 5,
    },
    loadTenantPolicies(undefined),
  );
}

/** The claims without the named ones. */
export function without(claims: Record<string, unknown>, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)));
}

/** A named set of claims, made when the test runs (validClaims reads the clock). */
export type ClaimsCase = readonly [name: string, claims: () => Record<string, unknown>];

/**
 * Claims that a correctly signed token must still be refused for, each one thing away from validClaims(); HTTP
 * and graphql-ws both refuse every one.
 */
export const REFUSED_CLAIMS: readonly ClaimsCase[] = [
  ['a token from another issuer', () => ({ ...validClaims('acme'), iss: 'https://evil.example' })],
  ['a token for another audience', () => ({ ...validClaims('acme'), aud: 'billing-subgraph' })],
  ['a token without a tenant claim', () => without(validClaims('acme'), 'tenant_id')],
  ['a tenant id with a space in it', () => ({ ...validClaims(), tenant_id: 'acme corp' })],
  ['a tenant id of 65 characters', () => ({ ...validClaims(), tenant_id: 'a'.repeat(65) })],
  ['a tenant id that is a number, not a string', () => ({ ...validClaims(), tenant_id: 42 })],
  ['a token without exp, which would be valid forever', () => without(validClaims('acme'), 'exp')],
  [
    'a token issued 60 s in the future (iat beyond the clock tolerance)',
    () => ({ ...validClaims('acme'), iat: Math.floor(Date.now() / 1000) + 60 }),
  ],
];
