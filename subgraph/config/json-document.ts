// A JSON document configured by a pair of variables, a file path or the JSON inline (exclusive), read and
// parsed once at start; its label (the variable it came from) prefixes every error about its content.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError } from '../errors/config-error';

export interface JsonDocument {
  /** The variable the document came from, e.g. GATEWAY_ROUTES_JSON: error messages start with it. */
  label: string;
  raw: unknown;
}

export function readJsonDocument(
  file: { variable: string; value: string | undefined },
  inline: { variable: string; value: string | undefined },
): JsonDocument | undefined {
  if (file.value !== undefined && inline.value !== undefined) {
    throw new ConfigError(`${file.variable} and ${inline.variable} are exclusive: set one`);
  }
  const label = file.value !== undefined ? file.variable : inline.variable;
  try {
    if (file.value !== undefined) return { label, raw: JSON.parse(readFileSync(file.value, 'utf8')) };
    if (inline.value !== undefined) return { label, raw: JSON.parse(inline.value) };
    return undefined;
  } catch (error) {
    throw new ConfigError(`${label} expects readable JSON (${unreadableBecause(error)})`);
  }
}

/**
 * Why a document could not be read, without its text: JSON.parse's message quotes the text around the fault,
 * which in a policy document may be a webhook secret or a key (`..."okSecret":s3cr3t-ver"...`), and this error
 * is printed at the start. Only where the fault is goes out; a file's own error (not found) names just its path.
 */
function unreadableBecause(error: unknown): string {
  if (error instanceof SyntaxError) {
    const position = /\bposition (\d+)/.exec(error.message)?.[1];
    return position === undefined ? 'not valid JSON' : `not valid JSON at position ${position}`;
  }
  return error instanceof Error ? error.message : 'unreadable';
}

/**
 * `LABEL at a.b.c: message`, the one shape of every error about a document's content. An unknown key is
 * named in the path itself: `TENANT_POLICIES_JSON at tenants.acme.allowedProvider: unrecognized key`.
 */
export function documentError(
  label: string,
  issue: z.core.$ZodIssue | undefined,
  prefix: readonly PropertyKey[] = [],
): ConfigError {
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
  const path = [...prefix, ...(issue?.path ?? []), ...unknownKey].map(String).join('.');
  // A record key's own message ("expects a tenant id ...") is nested under zod's "Invalid key in record".
  const keyMessage = issue?.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  const message = unknownKey.length > 0 ? 'unrecognized key' : (keyMessage ?? issue?.message ?? 'invalid');
  return new ConfigError(`${label} at ${path || 'root'}: ${message}`);
}
