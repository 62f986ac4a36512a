// A TCP proxy in front of a real server that holds the server's replies for a while before passing them on, as
// a slow server or a congested link would: every command still reaches the server at once and runs there, only
// its answer comes late. The delay can be changed at any time; bytes always reach the client in order.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DelayingProxy {
  port: number;
  /** The server's bytes reach the client `ms` after they left it from now on (0: at once). */
  delayReplies(ms: number): void;
  close(): Promise<void>;
}

export async function startDelayingProxy(target: { host: string; port: number }): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  let delayMs = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    // Each chunk leaves at its own due time, and never before the chunk ahead of it: order is kept.
    let sent = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const dueAt = Date.now() + delayMs;
      sent = sent
        .then(() => sleep(Math.max(0, dueAt - Date.now())))
        .then(() => {
          if (!client.destroyed) client.write(chunk);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    delayReplies(ms) {
      delayMs = Math.max(0, ms);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
