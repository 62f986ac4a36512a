// Verifies the gateway's JWT with jose and turns it into a TenantContext; every refusal is typed.
import { createSecretKey } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions, KeyLike } from 'jose';
import { JWT_ALGORITHMS } from '../config/env-schema';
import type { AuthConfig } from '../config/sections';
import { AuthenticationError } from '../errors/authentication-error';
import type { AuthFailure } from '../errors/authentication-error';
import { refuseIssuedInFuture } from './issued-in-future';
import { importPublicKey } from './public-key';
import { TENANT_ID_PATTERN } from './tenant-context';
import type { TenantContext } from './tenant-context';
import type { TenantPolicies } from '../tenancy/tenant-policies';
import { unreachable } from '../errors/unreachable';

export type TokenVerifier = (token: string) => Promise<TenantContext>;

const ASYMMETRIC_ALGORITHMS = JWT_ALGORITHMS.filter((alg) => !alg.startsWith('HS'));

type KeyInput = Uint8Array | KeyLike | JWTVerifyGetKey;

const VERIFIED_CACHE_ENTRIES = 10_000;
const VERIFIED_CACHE_TTL_MS = 60_000;
// Also bounded by bytes: a token may be as long as a header allows (16 KB), and 10,000 of those are 160 MB.
// An entry holds the token and its TenantContext (a few hundred bytes; the policy object is shared).
const VERIFIED_CACHE_BYTES = 8 * 1024 * 1024;
const CONTEXT_BYTES = 600;

/** The context it returns carries the verified tenant's policy from `policies`. */
export async function createTokenVerifier(
  auth: AuthConfig,
  policies: TenantPolicies,
): Promise<TokenVerifier> {
  const { key: source } = auth;
  let key: KeyInput;
  let algorithms: string[];
  switch (source.kind) {
    case 'secret':
      // A KeyObject once, rather than raw bytes that jose would import again on every verification.
      key = createSecretKey(Buffer.from(source.secret, 'utf8'));
      algorithms = auth.algorithms ?? ['HS256'];
      break;
    case 'public-key': {
      algorithms = auth.algorithms ?? ['RS256'];
      key = await importPublicKey(source.pem, algorithms);
      break;
    }
    case 'jwks':
      key = unavailableAsTyped(
        createRemoteJWKSet(new URL(source.url), { cooldownDuration: 30_000, timeoutDuration: 5_000 }),
      );
      algorithms = auth.algorithms ?? ASYMMETRIC_ALGORITHMS;
      break;
    default:
      return unreachable(source);
  }
  const options = {
    algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockToleranceSeconds,
    // A token without `exp` would be valid forever: a leaked one could never be contained.
    requiredClaims: ['exp'],
  };

  // Verified tokens are remembered briefly: a client sends the same token with every request, and the
  // signature check is most of the per-request cost of auth. An entry never outlives the token's `exp`.
  const verified = new LRUCache<string, TenantContext>({
    max: VERIFIED_CACHE_ENTRIES,
    maxSize: VERIFIED_CACHE_BYTES,
    sizeCalculation: (_tenant, token) => token.length + CONTEXT_BYTES,
    ttlAutopurge: false,
  });

  return async (token: string) => {
    const known = verified.get(token);
    if (known) return known;
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token))
      throw new AuthenticationError('malformed');
    let payload: JWTPayload;
    try {
      payload =
        typeof key === 'function'
          ? await verifyWithKeySet(token, key, options)
          : (await jwtVerify(token, key, options)).payload;
    } catch (error) {
      throw new AuthenticationError(classify(error));
    }
    refuseIssuedInFuture(payload, auth.clockToleranceSeconds);
    const tenant = tenantContextFrom(payload, auth.tenantClaim, policies);
    const untilExpiry =
      typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : VERIFIED_CACHE_TTL_MS;
    const ttl = Math.min(VERIFIED_CACHE_TTL_MS, untilExpiry);
    if (ttl > 0) verified.set(token, tenant, { ttl });
    return tenant;
  };
}

/**
 * A token without `kid` matches every key of its type in the set, and during a rotation there are several:
 * jose then throws JWKSMultipleMatchingKeys and leaves trying each candidate to the caller (its documented
 * way). The candidates are the issuer's few keys, so the extra verifications are bounded.
 */
async function verifyWithKeySet(
  token: string,
  keySet: JWTVerifyGetKey,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keySet, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error) {
      try {
        return (await jwtVerify(token, candidate, options)).payload;
      } catch (candidateError) {
        if (!(candidateError instanceof errors.JWSSignatureVerificationFailed)) throw candidateError;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/** The key set could not be fetched or read: the token may be fine; the keys to check it are what is missing. */
class KeySetUnavailable extends Error {
  override readonly name = 'KeySetUnavailable';
}

// jose passes a fetch's network errors (ECONNREFUSED, DNS, TLS) through untyped, and reports a non-200 or
// non-JSON answer as a bare JOSEError; its other errors say something about the token and stay as they are.
function unavailableAsTyped(keySet: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError && error.code !== errors.JOSEError.code) throw error;
      throw new KeySetUnavailable('the JSON Web Key Set could not be fetched or read', { cause: error });
    }
  };
}

function classify(error: unknown): AuthFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'wrong-issuer';
    if (error.claim === 'aud') return 'wrong-audience';
    if (error.claim === 'nbf' || error.claim === 'iat') return 'not-yet-valid';
    if (error.claim === 'exp' && error.reason === 'missing') return 'missing-expiry';
    return 'malformed';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'algorithm-not-allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'bad-signature';
  if (
    error instanceof KeySetUnavailable ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid
  )
    return 'key-unavailable';
  return 'malformed';
}

function tenantContextFrom(
  payload: JWTPayload,
  tenantClaim: string,
  policies: TenantPolicies,
): TenantContext {
  const tenant = payload[tenantClaim];
  if (tenant === undefined || tenant === null || tenant === '')
    throw new AuthenticationError('missing-tenant');
  if (typeof tenant !== 'string' || !TENANT_ID_PATTERN.test(tenant))
    throw new AuthenticationError('invalid-tenant');
  return {
    tenantId: tenant,
    subject: typeof payload.sub === 'string' ? payload.sub : null,
    scopes: scopesFrom(payload),
    policy: policies.forTenant(tenant),
    ...(typeof payload.exp === 'number' ? { tokenExpiresAt: payload.exp * 1000 } : {}),
  };
}

// Scopes arrive as an OAuth `scope` string or an Azure-style `scp` array (or string); both are honoured.
function scopesFrom(payload: JWTPayload): ReadonlySet<string> {
  const scopes = new Set<string>();
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  if (typeof scope === 'string')
    scope
      .split(/\s+/)
      .filter(Boolean)
      .forEach((s) => scopes.add(s));
  if (Array.isArray(scp)) scp.filter((s): s is string => typeof s === 'string').forEach((s) => scopes.add(s));
  else if (typeof scp === 'string')
    scp
      .split(/\s+/)
      .filter(Boolean)
      .forEach((s) => scopes.add(s));
  return scopes;
}
