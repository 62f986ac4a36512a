// The AUTH_PUBLIC_KEY PEM, imported once at start. A key that cannot verify any of the configured algorithms stops
// the start with a ConfigError naming the variable, rather than a bare OpenSSL line or every token refused later.
import { errors, flattenedVerify, importSPKI } from 'jose';
import type { KeyLike } from 'jose';
import { ConfigError } from '../errors/config-error';

/**
 * The key, imported for the first of `algorithms` it can verify. One it cannot verify at all stops the start;
 * one that fits some of a list (an RSA key under `RS256,ES256`, README's example) verifies those, and tokens of
 * the others are refused as they would be with no key of their kind.
 */
export async function importPublicKey(pem: string, algorithms: readonly string[]): Promise<KeyLike> {
  const listed = algorithms.length > 0 ? algorithms : ['RS256'];
  let firstFailure: ConfigError | undefined;
  for (const alg of listed) {
    try {
      const key = await importSPKI(pem, alg);
      await checkKeyFits(key, alg);
      return key;
    } catch (error) {
      firstFailure ??= error instanceof ConfigError ? error : unusableKey(alg, error);
    }
  }
  throw firstFailure ?? unusableKey(listed.join(', '), new Error('no algorithm'));
}

// jose checks a key against the algorithm only when it verifies (an EC key for RS256, an RSA key under 2048
// bits): a trial on an empty signature finds the mismatch now, instead of every token being refused later.
async function checkKeyFits(key: KeyLike, alg: string): Promise<void> {
  const header = Buffer.from(JSON.stringify({ alg })).toString('base64url');
  try {
    await flattenedVerify({ protected: header, payload: '', signature: '' }, key, { algorithms: [alg] });
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return;
    throw unusableKey(alg, error);
  }
}

function unusableKey(alg: string, error: unknown): ConfigError {
  // main.ts prints only the message, so it carries the original reason as well as the cause.
  const reason = error instanceof Error ? error.message : String(error);
  return new ConfigError(`AUTH_PUBLIC_KEY is not a usable ${alg} public key: ${reason}`, { cause: error });
}
