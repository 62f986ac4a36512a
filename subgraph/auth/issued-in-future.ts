// jose checks `iat` against the clock only when maxTokenAge is set, so a token "issued" in the future passes
// its verification; one from beyond the clock tolerance is a clock or minting error, or a token made to be
// kept, and is refused like a token whose `nbf` has not come.
import type { JWTPayload } from 'jose';
import { AuthenticationError } from '../errors/authentication-error';

/** Throws not-yet-valid when `iat` lies more than `clockToleranceSeconds` ahead of this machine's clock. */
export function refuseIssuedInFuture(payload: JWTPayload, clockToleranceSeconds: number): void {
  const now = Math.floor(Date.now() / 1000);
  // jose has already refused an `iat` that is present but not a number.
  if (typeof payload.iat === 'number' && payload.iat > now + clockToleranceSeconds)
    throw new AuthenticationError('not-yet-valid');
}
