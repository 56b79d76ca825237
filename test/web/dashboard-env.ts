/**
 * One Costrail process for the browser tests: the simulated provider behind the gateway, demo
 * traffic through it (today's calls), and five weeks of synthetic history in the store so the
 * overview's week, month and trend numbers differ from today's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sendDemoTraffic } from '../../src/demo/demo-traffic.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { insertSynthetic } from '../../bench/synthetic-ledger.js';

export interface DashboardEnv {
  rt: CostrailRuntime;
  sim: Simulator;
  dataDir: string;
  /** GET an API path with the admin token (or another), parsed as JSON. */
  get<T>(pathAndQuery: string, token?: string): Promise<T>;
  /** A JSON request with the admin token; throws with the API's answer on a non-2xx. */
  send<T>(method: string, path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startDashboardEnv(opts: { demoCalls?: number; history?: number } = {}): Promise<DashboardEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-web-'));
  const sim = await startSimulator({ chunkDelayMs: 1 });
  const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${sim.url}/v1`, anthropic: sim.url, gemini: sim.url } });
  // History ends an hour ago so it never overlaps the demo calls made now.
  await insertSynthetic(rt.store, { count: opts.history ?? 3000, days: 35, end: Date.now() - 3_600_000, idPrefix: 'hist' });
  await sendDemoTraffic(rt.url, opts.demoCalls ?? 80, { concurrency: 4 });
  await rt.writer.flush();
  const get = async <T>(p: string, token = rt.adminToken): Promise<T> => {
    const res = await fetch(rt.url + p, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${body}`);
    return JSON.parse(body) as T;
  };
  const send = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
    const res = await fetch(rt.url + p, { method, headers: { authorization: `Bearer ${rt.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    rt,
    sim,
    dataDir,
    get,
    send,
    async close() {
      await rt.close();
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
