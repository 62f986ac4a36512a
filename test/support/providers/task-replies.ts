// A fixed reply per prompt kind for one fake provider, so a suite can tell providers apart by what they
// answered while each reply still passes the output rails of its feature: a cited sentence grounded in the
// passages for `ask`, a sentence with no fact the text lacks for `summarize` (one string cannot be both).
import type { Responder } from './server';
import { defaultResponder } from './text';

export interface TaskReplies {
  /** The reply to an answer prompt (passages fenced by `<<<PASSAGES`). */
  answer: string;
  /** The reply to a summarize prompt (text fenced by `<<<TEXT`); the default responder's when absent. */
  summary?: string;
}

export function replyByTask({ answer, summary }: TaskReplies): Responder {
  return (request) => {
    const prompt = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
    if (prompt.includes('<<<PASSAGES')) return answer;
    if (prompt.includes('<<<TEXT')) return summary ?? defaultResponder(request);
    return defaultResponder(request);
  };
}
