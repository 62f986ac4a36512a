// The liveness and readiness probes on a tiny real express app, with pings that are real TCP round trips: one
// to a server that listens, one to a port where nothing does. Readiness names each dependency's state and is
// 503 while one the replica cannot serve without is down, 200 "degraded" while only one its features degrade
// without is (Redis), and 503 "stopping" once the replica drains, without pinging anything.
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer } from 'node:net';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import express from 'express';
import { livenessProbe, readinessProbe } from '../../subgraph/http/probes';
import type { Ping } from '../../subgraph/http/probes';

/** Opens a TCP connection to the port and closes it: rejects when nothing listens there. */
function tcpPing(port: number): Ping {
  return () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', reject);
    });
}

async function listenTcp(server: TcpServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('probes', () => {
  let dependency: TcpServer;
  let up: Ping;
  let down: Ping;
  let server: Server;
  let url: string;
  let stopping = false;
  let pings = 0;
  const counted =
    (ping: Ping): Ping =>
    () => {
      pings += 1;
      return ping();
    };

  beforeAll(async () => {
    dependency = createTcpServer((socket) => socket.end());
    up = tcpPing(await listenTcp(dependency));
    // A port that was free a moment ago and is closed again: connecting there is refused.
    const gone = createTcpServer();
    const gonePort = await listenTcp(gone);
    await new Promise((resolve) => gone.close(resolve));
    down = tcpPing(gonePort);

    const app = express();
    app.get('/healthz', livenessProbe());
    app.get(
      '/readyz',
      readinessProbe({
        isStopping: () => stopping,
        pings: { store: counted(() => up()) },
        degradable: { state: counted(() => up()) },
      }),
    );
    app.get(
      '/readyz-state-down',
      readinessProbe({
        isStopping: () => false,
        pings: { store: () => up() },
        degradable: { state: () => down() },
      }),
    );
    app.get(
      '/readyz-store-down',
      readinessProbe({
        isStopping: () => false,
        pings: { store: () => down() },
        degradable: { state: () => up() },
      }),
    );
    app.get(
      '/readyz-all-down',
      readinessProbe({
        isStopping: () => false,
        pings: { store: () => down() },
        degradable: { state: () => down() },
      }),
    );
    app.get(
      '/readyz-store-hangs',
      readinessProbe({
        isStopping: () => false,
        pingTimeoutMs: 200,
        pings: { store: () => new Promise<void>(() => undefined) },
        degradable: { state: () => up() },
      }),
    );
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => dependency.close(resolve));
  });

  const get = async (path: string) => {
    const response = await fetch(`${url}${path}`);
    return { status: response.status, body: await response.json() };
  };

  it('/healthz answers 200 ok', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('/readyz is 200 ready when every dependency answers its ping', async () => {
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', store: 'ok', state: 'ok' },
    });
  });

  // Found by a review: a Redis failover made every replica's /readyz 503 at once, so the orchestrator took them
  // all out and the router met fetch errors, where each feature would have answered its typed fallback.
  it('/readyz stays 200, degraded, with only Redis (the state) down, and names it', async () => {
    expect(await get('/readyz-state-down')).toEqual({
      status: 200,
      body: { status: 'degraded', store: 'ok', state: 'down' },
    });
  });

  it('/readyz is 503 and names the dependency that is down when the store is', async () => {
    expect(await get('/readyz-store-down')).toEqual({
      status: 503,
      body: { status: 'not ready', store: 'down', state: 'ok' },
    });
  });

  it('/readyz is 503 with every dependency down', async () => {
    expect(await get('/readyz-all-down')).toEqual({
      status: 503,
      body: { status: 'not ready', store: 'down', state: 'down' },
    });
  });

  // Found by a review: the PostgreSQL ping had no time limit, so a saturated pool left /readyz hanging and the
  // orchestrator saw its own timeout, with no dependency named.
  it('/readyz is 503 naming the store when its ping does not answer within the ping timeout', async () => {
    const started = performance.now();
    expect(await get('/readyz-store-hangs')).toEqual({
      status: 503,
      body: { status: 'not ready', store: 'down', state: 'ok' },
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('/readyz is 503 stopping once the replica drains, and pings nothing', async () => {
    pings = 0;
    stopping = true;
    try {
      expect(await get('/readyz')).toEqual({ status: 503, body: { status: 'stopping' } });
      expect(pings).toBe(0);
    } finally {
      stopping = false;
    }
    expect((await get('/readyz')).status).toBe(200);
    expect(pings).toBe(2);
  });
});
