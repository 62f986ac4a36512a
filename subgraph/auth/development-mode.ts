// What a development start tells its operator: which secret verifies tokens and how to get one. With
// DATA_DIR=:memory: no other process can know the secret, so the log carries a ready token: the one token this
// service logs on purpose, and never in production, which has no development secret (it refuses to start).
import { developmentSecretFile } from '../config';
import type { Config } from '../config';
import type { Logger } from '../observability/logger';
import { mintToken } from './mint-token';

export const DEVELOPMENT_TOKEN_TENANT = 'acme';
export const DEVELOPMENT_TOKEN_SCOPES = ['ai:ingest', 'ai:admin'];
const DEVELOPMENT_TOKEN_SECONDS = 24 * 60 * 60;

export async function announceDevelopmentMode(config: Config, logger: Logger): Promise<void> {
  const { auth } = config;
  if (config.production || auth.key.kind !== 'secret' || !auth.key.development) return;
  const secretFile = developmentSecretFile(config.store.dataDir);
  if (secretFile !== null) {
    logger.warn(
      { developmentSecretFile: secretFile },
      'development mode: no AUTH_* configured, tokens are verified with the random development secret in developmentSecretFile; mint one with `npm run token -- --tenant acme`',
    );
    return;
  }
  const developmentToken = await mintToken({
    secret: auth.key.secret,
    tenantId: DEVELOPMENT_TOKEN_TENANT,
    tenantClaim: auth.tenantClaim,
    scopes: DEVELOPMENT_TOKEN_SCOPES,
    issuer: auth.issuer,
    audience: auth.audience,
    expiresInSeconds: DEVELOPMENT_TOKEN_SECONDS,
  });
  logger.warn(
    {
      developmentToken,
      tenant: DEVELOPMENT_TOKEN_TENANT,
      scopes: DEVELOPMENT_TOKEN_SCOPES,
      expiresInSeconds: DEVELOPMENT_TOKEN_SECONDS,
    },
    'development mode: no AUTH_* configured and DATA_DIR=:memory:, so this start made its own development secret and `npm run token` cannot mint for it; developmentToken is a DEVELOPMENT token, valid for this process only',
  );
}
