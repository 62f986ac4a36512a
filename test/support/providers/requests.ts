// Request reading and whole (non-streamed) replies shared by the fake chat providers; each passes the
// messages its real API sends for a bad request.
import { ProviderHttpError } from './server';
import type { ChatMessage, Reply } from './server';
import { contentToText, isRecord } from './text';

/** The request's model, or a 400 with the provider's message when it is missing or not a string. */
export function requireModel(body: Record<string, unknown>, missing: string): string {
  const model = body.model;
  if (typeof model !== 'string') throw new ProviderHttpError(400, missing);
  return model;
}

/**
 * The model a chat reply names. As the real APIs do, an alias is answered in the name of the dated snapshot that
 * served it (`gpt-4o-mini` by `gpt-4o-mini-2024-07-18`), so a client can tell what it asked for from what
 * answered; a name that carries a date already is its own snapshot.
 */
export function servedModel(requested: string, snapshot: string): string {
  return /-\d{4}-?\d{2}-?\d{2}$/.test(requested)
    ? requested
    : `${requested.replace(/-latest$/, '')}-${snapshot}`;
}

/** The request's messages as text (role `user` where it has none), or a 400 when there are none. */
export function requireMessages(body: Record<string, unknown>, missing: string): ChatMessage[] {
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new ProviderHttpError(400, missing);
  return body.messages.map((message: unknown) => ({
    role: isRecord(message) && typeof message.role === 'string' ? message.role : 'user',
    content: isRecord(message) ? contentToText(message.content) : '',
  }));
}

/** The reply to a request that did not stream: the whole body, counting the deltas a stream would have sent. */
export function wholeReply(deltas: string[], body: Record<string, unknown>): Reply {
  return { kind: 'json', deltaCount: deltas.length, body };
}
