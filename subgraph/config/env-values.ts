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

export function integer(defaultValue: number, min: number, max: number) {
  const message = `expects an integer between ${min} and ${max}`;
  return z.coerce
    .number({ message })
    .int({ message })
    .min(min, { message })
    .max(max, { message })
    .default(defaultValue);
}

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

/** A bounded decimal number with its default. */
export function decimal(defaultValue: number, min: number, max: number) {
  const message = `expects a number between ${min} and ${max}`;
  return z.coerce.number({ message }).min(min, { message }).max(max, { message }).default(defaultValue);
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
