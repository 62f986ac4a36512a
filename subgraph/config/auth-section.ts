// The auth section: exactly one key source (HS256 secret, PEM public key or JWKS URL), the development
// secret only outside production, iss/aud required with a public key or JWKS, a JWKS fetched over https in
// production, and AUTH_ALGORITHMS only of the key's own kind.
import { ConfigError } from '../errors/config-error';
import { developmentSecret } from './development-secret';
import type { Env } from './env-schema';
import type { AuthConfig, AuthKeySource } from './sections';

export const DEVELOPMENT_ISSUER = 'ai-subgraph-development';

export function authSection(env: Env, production: boolean): AuthConfig {
  const sources = [env.AUTH_JWT_SECRET, env.AUTH_PUBLIC_KEY, env.AUTH_JWKS_URL].filter(
    (value) => value !== undefined,
  );
  if (sources.length > 1) {
    throw new ConfigError(
      'AUTH_JWT_SECRET, AUTH_PUBLIC_KEY and AUTH_JWKS_URL are exclusive: set exactly one',
    );
  }
  if (sources.length === 0 && production) {
    throw new ConfigError(
      'AUTH_JWT_SECRET, AUTH_PUBLIC_KEY or AUTH_JWKS_URL expects a value when NODE_ENV=production',
    );
  }
  const asymmetric = env.AUTH_PUBLIC_KEY !== undefined || env.AUTH_JWKS_URL !== undefined;
  // A shared identity provider signs tokens for many APIs with one key: without iss and aud checks, a token
  // minted for another API that happens to carry the tenant claim would be accepted here. In every NODE_ENV:
  // a development server reachable beyond this machine (HOST) is as exposed as a production one.
  if (asymmetric && (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)) {
    throw new ConfigError(
      `${env.AUTH_ISSUER ? 'AUTH_AUDIENCE' : 'AUTH_ISSUER'} expects a value with AUTH_PUBLIC_KEY or AUTH_JWKS_URL`,
    );
  }
  // Keys fetched over plain http can be replaced by anyone on the path; a local IdP over http stays possible
  // outside production.
  if (production && env.AUTH_JWKS_URL !== undefined && new URL(env.AUTH_JWKS_URL).protocol === 'http:') {
    throw new ConfigError('AUTH_JWKS_URL expects an https:// URL when NODE_ENV=production');
  }
  refuseAlgorithmsOfTheOtherKind(env.AUTH_ALGORITHMS, asymmetric);

  let key: AuthKeySource;
  if (env.AUTH_JWT_SECRET) key = { kind: 'secret', secret: env.AUTH_JWT_SECRET, development: false };
  else if (env.AUTH_PUBLIC_KEY) key = { kind: 'public-key', pem: env.AUTH_PUBLIC_KEY };
  else if (env.AUTH_JWKS_URL) key = { kind: 'jwks', url: env.AUTH_JWKS_URL };
  else key = { kind: 'secret', secret: developmentSecret(env.DATA_DIR), development: true };
  return {
    key,
    issuer: env.AUTH_ISSUER ?? (key.kind === 'secret' && key.development ? DEVELOPMENT_ISSUER : undefined),
    audience: env.AUTH_AUDIENCE,
    tenantClaim: env.AUTH_TENANT_CLAIM,
    algorithms: env.AUTH_ALGORITHMS,
    clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
}

/**
 * An HMAC secret verifies only HS* tokens, a public key or JWKS only the others (jose refuses the rest): an
 * algorithm of the other kind can never verify a token, and a list of only those refuses every one.
 */
function refuseAlgorithmsOfTheOtherKind(
  algorithms: readonly string[] | undefined,
  asymmetric: boolean,
): void {
  const foreign = (algorithms ?? []).filter((algorithm) => algorithm.startsWith('HS') === asymmetric);
  if (foreign.length === 0) return;
  throw new ConfigError(
    asymmetric
      ? `AUTH_ALGORITHMS expects RS*, PS*, ES* or EdDSA algorithms with AUTH_PUBLIC_KEY or AUTH_JWKS_URL; only an HMAC secret (AUTH_JWT_SECRET) verifies ${foreign.join(', ')}`
      : `AUTH_ALGORITHMS expects HS256, HS384 or HS512 with an HMAC secret (AUTH_JWT_SECRET or the development secret); only a public key (AUTH_PUBLIC_KEY or AUTH_JWKS_URL) verifies ${foreign.join(', ')}`,
  );
}
