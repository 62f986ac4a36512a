// The auth section: exactly one key source (HS256 secret, PEM public key or JWKS URL), the development
// secret only outside production, and iss/aud required in production with a public key or JWKS.
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
  let key: AuthKeySource;
  if (env.AUTH_JWT_SECRET) key = { kind: 'secret', secret: env.AUTH_JWT_SECRET, development: false };
  else if (env.AUTH_PUBLIC_KEY) key = { kind: 'public-key', pem: env.AUTH_PUBLIC_KEY };
  else if (env.AUTH_JWKS_URL) key = { kind: 'jwks', url: env.AUTH_JWKS_URL };
  else if (production) {
    throw new ConfigError(
      'AUTH_JWT_SECRET, AUTH_PUBLIC_KEY or AUTH_JWKS_URL expects a value when NODE_ENV=production',
    );
  } else key = { kind: 'secret', secret: developmentSecret(env.DATA_DIR), development: true };
  // A shared identity provider signs tokens for many APIs with one key: without iss and aud checks, a token
  // minted for another API that happens to carry the tenant claim would be accepted here.
  if (production && key.kind !== 'secret' && (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)) {
    throw new ConfigError(
      `${env.AUTH_ISSUER ? 'AUTH_AUDIENCE' : 'AUTH_ISSUER'} expects a value when NODE_ENV=production with a public key or JWKS`,
    );
  }
  return {
    key,
    issuer: env.AUTH_ISSUER ?? (key.kind === 'secret' && key.development ? DEVELOPMENT_ISSUER : undefined),
    audience: env.AUTH_AUDIENCE,
    tenantClaim: env.AUTH_TENANT_CLAIM,
    algorithms: env.AUTH_ALGORITHMS,
    clockToleranceSeconds: env.AUTH_CLOCK_TOLERANCE_SECONDS,
  };
}
