// Mints an HS256 token for the configured secret: development tokens for `npm run token`, and test tokens.
import { SignJWT } from 'jose';

export interface MintOptions {
  secret: string;
  tenantId: string;
  tenantClaim?: string;
  scopes?: string[];
  subject?: string;
  issuer?: string;
  audience?: string;
  expiresInSeconds?: number;
}

export function mintToken(options: MintOptions): Promise<string> {
  const jwt = new SignJWT({
    [options.tenantClaim ?? 'tenant_id']: options.tenantId,
    ...(options.scopes?.length ? { scope: options.scopes.join(' ') } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setSubject(options.subject ?? `user@${options.tenantId}`)
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 3600));
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
