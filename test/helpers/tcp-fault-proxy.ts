/**
 * A TCP proxy the fault-injection tests put between Costrail and a real server (PostgreSQL, Redis)
 * so they can cut, stall or reset the connection without touching the server other tests share.
 *
 * - `cut()`   refuses new connections and destroys the open ones (the server "goes away");
 * - `stall()` keeps connections open but stops moving bytes in either direction (a hung server);
 * - `reset()` destroys every open connection with a TCP RST but keeps accepting new ones (a backend
 *   termination or a NAT dropping state);
 * - `restore()` undoes cut/stall: bytes flow again and new connections are accepted.
 */
import net from 'node:net';

export interface TcpFaultProxy {
  /** Port on 127.0.0.1 the client should connect to instead of the real server. */
  readonly port: number;
  /** URL of the target with host and port replaced by the proxy's (keeps user, path and query). */
  proxiedUrl(targetUrl: string): string;
  cut(): void;
  stall(): void;
  reset(): void;
  restore(): void;
  /** Connections accepted so far (a reconnecting client shows up here). */
  readonly accepted: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  close(): Promise<void>;
}

type Mode = 'flowing' | 'cut' | 'stalled';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

export async function startTcpFaultProxy(target: { host: string; port: number }): Promise<TcpFaultProxy> {
  let mode: Mode = 'flowing';
  let accepted = 0;
  const pairs = new Set<Pair>();

  const server = net.createServer((client) => {
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    accepted += 1;
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    // Manual pumping instead of pipe(): stall() must be able to hold bytes in both directions.
    const pump = (from: net.Socket, to: net.Socket): void => {
      from.on('data', (chunk: Buffer) => {
        if (!to.destroyed) to.write(chunk);
      });
    };
    pump(client, upstream);
    pump(upstream, client);
    if (mode === 'stalled') {
      client.pause();
      upstream.pause();
    }
    const drop = (): void => {
      pairs.delete(pair);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy did not bind a TCP port');
  const port = address.port;

  const destroyAll = (hard: boolean): void => {
    for (const p of [...pairs]) {
      if (hard) {
        p.client.resetAndDestroy();
        p.upstream.resetAndDestroy();
      } else {
        p.client.destroy();
        p.upstream.destroy();
      }
      pairs.delete(p);
    }
  };

  return {
    port,
    proxiedUrl(targetUrl: string): string {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut(): void {
      mode = 'cut';
      destroyAll(true);
    },
    stall(): void {
      mode = 'stalled';
      for (const p of pairs) {
        p.client.pause();
        p.upstream.pause();
      }
    },
    reset(): void {
      destroyAll(true);
    },
    restore(): void {
      mode = 'flowing';
      for (const p of pairs) {
        p.client.resume();
        p.upstream.resume();
      }
    },
    get accepted(): number {
      return accepted;
    },
    get open(): number {
      return pairs.size;
    },
    async close(): Promise<void> {
      destroyAll(false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
