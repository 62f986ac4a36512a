// A real webhook receiver on loopback (node:http): it keeps every request it gets (headers and raw body) and
// answers each with the next scripted reply, so a test can make it fail N times, refuse, redirect or hang.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as a receiver must verify it (before any JSON parsing). */
  readonly body: string;
  /** When the request's body had arrived (performance.now()). */
  readonly receivedAt: number;
}

/** A status to answer with (`retryAfter` seconds adds the header), or `hang` to never answer. */
export type ScriptedReply = { status: number; headers?: Record<string, string> } | 'hang';

export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Replies for the next requests, in order; once used up, every request gets 204. */
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

/** TENANT_POLICIES_JSON giving `tenantId` a job webhook to `receiver`, signed with `secret`. */
export function webhookPolicies(tenantId: string, receiver: WebhookReceiver, secret: string): string {
  return JSON.stringify({
    tenants: { [tenantId]: { jobs: { webhookUrl: receiver.url, webhookSecret: secret } } },
  });
}

export async function startWebhookReceiver(path = '/hooks/ai-jobs'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const replies: ScriptedReply[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: performance.now(),
      });
      const reply = replies.shift() ?? { status: 204 };
      if (reply === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(reply.status, reply.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    script: (...next) => void replies.push(...next),
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
