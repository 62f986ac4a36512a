// The zod building blocks of environment values: an unset or blank variable is absent, numbers are bounded
// integers, and each message says what the variable expects. Shared by the env schema and the provider
// registry, which declares its providers' variables with them.
import { z } from 'zod';

export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

// Every URL the subgraph calls is fetched over HTTP: `idp.internal:8443/jwks` or `vllm:8000/v1` parse as URLs
// of scheme `idp.internal:` / `vllm:`, which would start cleanly and then fail every call.
export const optionalUrl = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value))
  .pipe(z.url({ protocol: /^https?$/, message: 'expects an http:// or https:// URL' }).optional());

/**
 * A bounded integer written in decimal digits. Number() would also take `0x10`, `1e3`, `0b1` or `Infinity`:
 * `PORT=0x10` listened on port 16.
 */
function decimalDigitsInteger(min: number, max: number) {
  const message = `expects an integer between ${min} and ${max}`;
  return z
    .string({ message })
    .trim()
    .regex(/^[+-]?\d+$/, { message })
    .transform(Number)
    .pipe(z.number().int({ message }).min(min, { message }).max(max, { message }));
}

/** A bounded integer written in decimal digits, with its default. */
export const integer = (defaultValue: number, min: number, max: number) =>
  decimalDigitsInteger(min, max).default(defaultValue);

/** A bounded integer as integer() reads it, without a default: unset, its default is decided by mode elsewhere. */
export const optionalInteger = (min: number, max: number) => decimalDigitsInteger(min, max).optional();

/** Comma-separated bounded integers, e.g. `384,1536`, with their default in that form. */
export function integerList(defaultValue: string, min: number, max: number) {
  const message = `expects comma-separated integers between ${min} and ${max}`;
  return z
    .string()
    .default(defaultValue)
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(
      z.array(
        z.coerce.number<string>({ message }).int({ message }).min(min, { message }).max(max, { message }),
      ),
    );
}

/**
 * A bounded decimal number with its default, written as one (`0.5`, `.25`, `2`, `1e-3`): Number() would also
 * take `0x1`, `0b1` or an empty string (0), which integer() refuses too.
 */
export function decimal(defaultValue: number, min: number, max: number) {
  const message = `expects a number between ${min} and ${max}`;
  return z
    .string({ message })
    .trim()
    .regex(/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i, { message })
    .transform(Number)
    .pipe(z.number().min(min, { message }).max(max, { message }))
    .default(defaultValue);
}

/** A variable that was replaced: setting it stops the start with a message saying what to set instead. */
export const retired = (replacement: string) =>
  z.undefined({ message: `was replaced: ${replacement}` }).optional();

/** A model name with its default. */
export const modelName = (defaultValue: string) => z.string().min(1).default(defaultValue);

export const sqlIdentifier = (defaultValue: string) =>
  z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'expects a lowercase SQL identifier' })
    .default(defaultValue);

/**
 * A connection URL of one of `schemes` (postgres, redis) that the driver can parse: a port that is no number or a
 * password with a broken %-escape otherwise stopped the start later with "Invalid URL" or "URI malformed",
 * naming no variable. The value is never quoted (it holds a password).
 */
export function connectionUrl(schemes: readonly string[], message: string) {
  const scheme = new RegExp(`^(${schemes.join('|')})://`);
  return z
    .string()
    .regex(scheme, { message })
    .refine(parsesAsUrl, {
      message: `${message} that parses (host, a numeric port, %-escapes in the password)`,
    })
    .optional();
}

function parsesAsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    return url.hostname !== '' || url.pathname !== '';
  } catch {
    return false;
  }
}
