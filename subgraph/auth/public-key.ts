// The AUTH_PUBLIC_KEY PEM, imported once at start. A key that cannot verify the configured algorithms stops the
// start with a ConfigError naming the variable, rather than a bare OpenSSL line or every token refused later.
import { errors, flattenedVerify, importSPKI } from 'jose';
import type { KeyLike } from 'jose';
import { ConfigError } from '../errors/config-error';

export async function importPublicKey(pem: string, algorithms: readonly string[]): Promise<KeyLike> {
  const [first = 'RS256'] = algorithms;
  let key: KeyLike;
  try {
    key = await importSPKI(pem, first);
  } catch (error) {
    throw unusableKey(first, error);
  }
  for (const alg of algorithms) await checkKeyFits(key, alg);
  return key;
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
