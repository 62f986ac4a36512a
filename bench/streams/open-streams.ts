// The client side of the streams benchmark: `count` askStream subscriptions over graphql-ws, `perConnection` of
// them on each connection, each tagged `benchstream<N>` in its question so the provider's note of its first
// delta matches this side's receipt of it. Open until `close()`; every stream that ends early (a refusal, an
// error, a completion) is counted, because an ended stream holds no memory and would flatter the figure.
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';

const ASK_STREAM = `subscription AskStream($input: AskInput!) {
  askStream(input: $input) {
    __typename
    ... on AnswerDelta { index text }
    ... on StreamNotice { reason }
    ... on AskCompleted { result { __typename ... on AIUnavailable { reason } } }
  }
}`;

interface StreamEvent {
  askStream?: { __typename?: string; reason?: string; result?: { __typename?: string; reason?: string } };
}

export interface OpenStreams {
  /** Epoch ms (sub-millisecond) at which each tag's first AnswerDelta reached this process. */
  firstDeltaAt: Map<string, number>;
  /** How streams ended before close(), e.g. "AskCompleted AIUnavailable RATE_LIMITED", "error ...". */
  endedEarly: Map<string, number>;
  /** Resolves once every stream has had its first delta or ended; rejects after `timeoutMs`. */
  allStarted(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();

export function openStreams(
  wsUrl: string,
  token: string,
  options: { count: number; perConnection: number; firstTag: number; question: string },
): OpenStreams {
  const firstDeltaAt = new Map<string, number>();
  const endedEarly = new Map<string, number>();
  const clients: Client[] = [];
  const unsubscribes: (() => void)[] = [];
  let settled = 0;
  let closing = false;
  let onSettled = (): void => undefined;
  const end = (why: string) => {
    if (closing) return;
    endedEarly.set(why, (endedEarly.get(why) ?? 0) + 1);
  };
  for (let i = 0; i < options.count; i += 1) {
    if (i % options.perConnection === 0)
      clients.push(
        createClient({
          url: wsUrl,
          webSocketImpl: WebSocket,
          lazy: false,
          retryAttempts: 0,
          connectionParams: { authorization: token },
        }),
      );
    const client = clients.at(-1) as Client;
    const tag = `benchstream${options.firstTag + i}`;
    let started = false;
    const settle = () => {
      if (started) return;
      started = true;
      settled += 1;
      onSettled();
    };
    unsubscribes.push(
      client.subscribe<StreamEvent>(
        { query: ASK_STREAM, variables: { input: { question: `${options.question} (${tag})`, limit: 3 } } },
        {
          next: (result) => {
            const event = result.data?.askStream;
            if (event?.__typename === 'AnswerDelta') {
              if (!firstDeltaAt.has(tag)) firstDeltaAt.set(tag, now());
              settle();
            } else if (event?.__typename === 'AskCompleted') {
              end(`AskCompleted ${event.result?.__typename ?? ''} ${event.result?.reason ?? ''}`.trim());
              settle();
            } else if (result.errors) {
              end(`errors ${JSON.stringify(result.errors).slice(0, 200)}`);
              settle();
            }
          },
          error: (error: unknown) => {
            end(`error ${error instanceof Error ? error.message : JSON.stringify(error).slice(0, 200)}`);
            settle();
          },
          complete: () => {
            end('completed');
            settle();
          },
        },
      ),
    );
  }
  return {
    firstDeltaAt,
    endedEarly,
    allStarted: (timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`${options.count - settled} of ${options.count} streams had no first delta`)),
          timeoutMs,
        );
        onSettled = () => {
          if (settled < options.count) return;
          clearTimeout(timer);
          resolve();
        };
        onSettled();
      }),
    async close() {
      closing = true;
      for (const unsubscribe of unsubscribes) unsubscribe();
      await Promise.all(clients.map(async (client) => client.dispose()));
    },
  };
}
