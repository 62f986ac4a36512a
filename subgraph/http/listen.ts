// Binds the HTTP server and works out the URL a client on this machine can reach: a wildcard bind address is
// not something to connect to, so it is reported as loopback. The bound address itself is returned too, so the
// start log says who can connect.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(
  httpServer: Server,
  at: { port: number; host: string },
  path: string,
): Promise<{ port: number; url: string; address: string }> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(at.port, at.host, () => resolve());
  });
  const { port, address } = httpServer.address() as AddressInfo;
  const host = at.host === '0.0.0.0' || at.host === '::' ? '127.0.0.1' : at.host;
  return { port, url: `http://${host}:${port}${path}`, address };
}
