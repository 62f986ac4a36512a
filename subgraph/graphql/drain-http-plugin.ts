// Apollo Server plugin: the HTTP drain of Apollo's ApolloServerPluginDrainHttpServer (its Stopper), except for the
// sockets upgraded to WebSocket. Apollo's ends at once every socket with no HTTP request in flight, and an
// upgraded socket has none: every graphql-ws stream was cut (1006) the moment the drain began, whatever grace
// the graphql-ws drain gave it. Those sockets are graphql-ws's to close (drain-graphql-ws-plugin.ts); the rest is
// Apollo's drain as it was: no new connection, idle keep-alive sockets ended now, each other one once its last
// response is out, and every socket still open when the grace ends cut.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export function drainHttpServerPlugin<TContext extends BaseContext>(
  httpServer: Server,
  graceMs: number,
): ApolloServerPlugin<TContext> {
  /** HTTP requests in flight per socket; an upgraded socket is not here. */
  const requests = new Map<Socket, number>();
  let stopping = false;
  httpServer.on('connection', (socket: Socket) => {
    requests.set(socket, 0);
    socket.once('close', () => requests.delete(socket));
  });
  httpServer.on('upgrade', (request: { socket: Socket }) => requests.delete(request.socket));
  httpServer.on(
    'request',
    (request: { socket: Socket }, response: { once(event: 'finish', listener: () => void): void }) => {
      const { socket } = request;
      requests.set(socket, (requests.get(socket) ?? 0) + 1);
      response.once('finish', () => {
        const pending = (requests.get(socket) ?? 1) - 1;
        if (requests.has(socket)) requests.set(socket, pending);
        if (stopping && pending === 0) socket.end();
      });
    },
  );
  return {
    async serverWillStart() {
      return {
        async drainServer() {
          stopping = true;
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          for (const [socket, pending] of requests) if (pending === 0) socket.end();
          const cut = setTimeout(() => {
            for (const socket of requests.keys()) socket.end();
            setImmediate(() => {
              for (const socket of requests.keys()) socket.destroy();
            });
          }, graceMs);
          try {
            await closed;
          } finally {
            clearTimeout(cut);
          }
        },
      };
    },
  };
}
