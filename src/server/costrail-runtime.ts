/**
 * Assembles one Costrail process: embedded store, ledger writer (spool + batches), price book,
 * gateway and the HTTP server. `serve`, `demo`, benchmarks and tests all start it this way.
 */
import type { AddressInfo } from 'node:net';
import { Gateway } from '../gateway/gateway.js';
import { resolveUpstreams, type UpstreamMap } from '../gateway/upstreams.js';
import { LedgerWriter } from '../ledger/ledger-writer.js';
import { loadPriceBook } from '../pricing/catalog-loader.js';
import { DuckDbStore } from '../store/embedded/duckdb-store.js';
import { createCostrailServer } from './http-server.js';
import { GatewayMetrics } from './gateway-metrics.js';

export interface RuntimeOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Explicit upstreams (tests, demo); otherwise env and config decide. */
  upstreams?: UpstreamMap;
  quiet?: boolean;
}

export interface CostrailRuntime {
  url: string;
  store: DuckDbStore;
  writer: LedgerWriter;
  close(): Promise<void>;
}

export async function startCostrail(opts: RuntimeOptions): Promise<CostrailRuntime> {
  const book = loadPriceBook({ dataDir: opts.dataDir });
  const store = await DuckDbStore.open(opts.dataDir);
  const writer = new LedgerWriter({
    dataDir: opts.dataDir,
    store,
    onError: (err) => {
      if (!opts.quiet) console.error(JSON.stringify({ level: 'warn', msg: 'ledger store write failed; records stay spooled', err: (err as Error).message }));
    },
  });
  // Records of calls answered before a crash are still in the spool: commit them first.
  const recovered = await writer.recover();
  if (recovered.records > 0 && !opts.quiet) console.error(JSON.stringify({ level: 'info', msg: 'recovered spooled ledger records', ...recovered }));

  const metrics = new GatewayMetrics(() => writer.stats().spoolDepth);
  // Spool first (durability), then metrics: both see the same record.
  const sink = {
    write(record: Parameters<LedgerWriter['write']>[0]): void {
      writer.write(record);
      metrics.observe(record);
    },
  };
  const gateway = new Gateway({ upstreams: resolveUpstreams(process.env, opts.upstreams), book, sink });
  const server = createCostrailServer({ gateway, metrics, health: () => ({ spool_depth: writer.stats().spoolDepth, price_version: book.version }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    writer,
    close() {
      closing ??= (async () => {
        await new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
        await gateway.close();
        await writer.close();
        await store.close();
      })();
      return closing;
    },
  };
}
