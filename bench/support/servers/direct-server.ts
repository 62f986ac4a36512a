// Benchmark child: the baseline for added latency. A bare node:http server that, per request, makes the
// same provider call the subgraph makes (the openai SDK, maxRetries 0, chat.completions.create with the very
// system and user prompt the subgraph sent, plus a per-request counter) and returns the text. Whatever the
// subgraph adds on top of this is its overhead.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { serveChild } from '../child-process';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
}

serveChild(async () => {
  const client = new OpenAI({
    apiKey: 'bench',
    baseURL: required('DIRECT_BASE_URL'),
    maxRetries: 0,
    timeout: 120_000,
  });
  const model = required('DIRECT_MODEL');
  const system = required('DIRECT_SYSTEM');
  const user = required('DIRECT_USER');
  const maxTokens = Number(process.env.DIRECT_MAX_TOKENS ?? '700');

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let n = 0;
      try {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { n?: unknown };
        n = typeof parsed.n === 'number' ? parsed.n : 0;
      } catch {
        // an empty or odd body still gets a call
      }
      client.chat.completions
        .create({
          model,
          max_tokens: maxTokens,
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: `${user} (request ${n})` },
          ],
        })
        .then(
          (completion) => {
            const body = JSON.stringify({ text: completion.choices[0]?.message?.content ?? '' });
            res.writeHead(200, { 'content-type': 'application/json' }).end(body);
          },
          (error: unknown) => {
            const message = error instanceof Error ? error.message : String(error);
            res
              .writeHead(502, { 'content-type': 'application/json' })
              .end(JSON.stringify({ errors: [message] }));
          },
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    ready: { url: `http://127.0.0.1:${port}/` },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
