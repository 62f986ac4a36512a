// Turns an Authorization value (HTTP header or graphql-ws connection_init payload) into a tenant, logging
// the precise refusal for operators while the caller learns only UNAUTHENTICATED.
import type { Logger } from '../observability/logger';
import { AuthenticationError } from '../errors/authentication-error';
import type { TenantContext } from './tenant-context';
import type { TokenVerifier } from './token-verifier';

export async function authenticate(
  verify: TokenVerifier,
  logger: Logger,
  authorization: unknown,
  transport: 'http' | 'ws',
): Promise<TenantContext> {
  try {
    if (authorization === undefined || authorization === null || authorization === '') {
      throw new AuthenticationError('missing-token');
    }
    if (typeof authorization !== 'string') throw new AuthenticationError('malformed');
    const match = /^(?:Bearer\s+)?(\S+)\s*$/i.exec(authorization.trim());
    if (!match?.[1] || (transport === 'http' && !/^Bearer\s/i.test(authorization))) {
      throw new AuthenticationError('malformed');
    }
    return await verify(match[1]);
  } catch (error) {
    const failure = AuthenticationError.isInstance(error) ? error.failure : 'malformed';
    logger.warn({ transport, failure }, 'authentication refused');
    throw error instanceof AuthenticationError ? error : new AuthenticationError(failure);
  }
}
