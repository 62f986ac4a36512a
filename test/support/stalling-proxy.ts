// A TCP proxy in front of a real server that a test can stall (it stops passing the client's bytes on, as a
// hung server or a partition would) and then cut (every connection dropped, as when the partition ends in a
// reset). New connections after a cut pass through again.
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface StallingProxy {
  port: number;
  /** The client's bytes are held from now on: commands get no answer. */
  stall(): void;
  /** Drops every connection, with what it held; later connections pass through. */
  cut(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(target: { host: string; port: number }): Promise<StallingProxy> {
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    clients.add(client);
    client.on('close', () => {
      clients.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    if (stalled) client.pause();
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stall() {
      stalled = true;
      for (const client of clients) {
        client.unpipe();
        client.pause();
      }
    },
    cut() {
      stalled = false;
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
