// Benchmark child: the fake OpenAI server (test/support/providers) with no added latency, answering every
// chat completion with a grounded reply to the passages it was sent (grounded-reply.ts) and every embedding
// request with its hash vectors. In a process of its own, so its work never shares the measured event loop.
import { startFakeOpenAI } from '../../test/support/providers';
import { serveChild } from '../support/child-process';
import { groundedReply } from './grounded-reply';

serveChild(async () => {
  const server = await startFakeOpenAI({ latencyMs: 0, embeddingDimensions: 256 });
  server.respondWith((request) => {
    const user = [...request.messages].reverse().find((message) => message.role === 'user');
    return groundedReply(user?.content ?? '');
  });
  // The fake logs every request for tests; over thousands of requests that log would only grow.
  const trim = setInterval(() => {
    server.requests.length = 0;
  }, 1000);
  return {
    ready: { baseURL: server.baseURL },
    async stop() {
      clearInterval(trim);
      await server.close();
    },
  };
});
