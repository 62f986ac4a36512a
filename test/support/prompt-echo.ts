// Responders that answer from the prompt the subgraph sent, so a test sees what reached the model: summaries
// echo the text to summarize, answers echo passage [1] and cite it. Also reads the numbered passages back.
import type { ChatRequest, Responder } from './providers';

function lastUserMessage(request: ChatRequest): string {
  return [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
}

function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from + start.length);
  return from < 0 || to < 0 ? '' : text.slice(from + start.length, to).trim();
}

/** The numbered passages of an answer prompt: its `[n] (title) content` lines. */
export function passagesOf(prompt: string): { n: number; title: string; content: string }[] {
  // A flagged passage's title is quoted ("Shipping"), as its body is: read back as written.
  return [...prompt.matchAll(/^\[(\d+)\] \((".*?"|.*?)\) (.*)$/gm)].map((m) => ({
    n: Number(m[1]),
    title: (m[2] ?? '').replace(/^"(.*)"$/, '$1').replace(/\\"/g, '"'),
    content: m[3] ?? '',
  }));
}

export interface EchoResponder {
  responder: Responder;
  /** The user message of the last answer prompt, to see how its passages were numbered. */
  lastAnswerPrompt: string;
  /** Answers with `text` instead of echoing passage [1] until set back to null. */
  fixedAnswer: string | null;
}

export function echoResponder(): EchoResponder {
  const echo: EchoResponder = {
    lastAnswerPrompt: '',
    fixedAnswer: null,
    responder: (request) => {
      const user = lastUserMessage(request);
      if (user.includes('<<<TEXT')) return between(user, '<<<TEXT', 'TEXT>>>').replace(/\s+/g, ' ');
      echo.lastAnswerPrompt = user;
      if (echo.fixedAnswer !== null) return echo.fixedAnswer;
      return `${passagesOf(user)[0]?.content ?? 'nothing'} [1]`;
    },
  };
  return echo;
}
