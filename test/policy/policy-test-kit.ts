/** A real Costrail runtime (store, ledger, gateway, API) in front of the simulated provider. */
import { Agent, request } from 'undici';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import type { PolicyRuntimeOptions } from '../../src/policy/open-policy.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface Rig {
  sim: Simulator;
  rt: CostrailRuntime;
  api<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', p: string, body?: unknown): Promise<{ status: number; body: T }>;
  chat(body: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }>;
  /** Every record of this runtime's ledger (after flushing the writer). */
  records(): Promise<LedgerRecord[]>;
  close(): Promise<void>;
}

const agent = new Agent({ connections: 1024, pipelining: 1 });

export async function startRig(policy?: PolicyRuntimeOptions, sim?: Simulator): Promise<Rig> {
  const simulator = sim ?? (await startSimulator());
  const dataDir = tempDir('costrail-policy-');
  const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${simulator.url}/v1`, anthropic: simulator.url, gemini: simulator.url }, policy });
  return rigFor(rt.url, rt.adminToken, simulator, rt, !sim);
}

export function rigFor(url: string, token: string, sim: Simulator, rt: CostrailRuntime, ownSim: boolean): Rig {
  return {
    sim,
    rt,
    async api(method, p, body) {
      const res = await request(url + p, { method, dispatcher: agent, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.body.text();
      return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as never };
    },
    async chat(body, headers = {}) {
      const res = await request(`${url}/v1/chat/completions`, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-policy-test', ...headers }, body: JSON.stringify(body) });
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
    },
    async records() {
      await rt.writer.flush();
      const out: LedgerRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await rt.store.getEvents({ limit: 1000, cursor });
        out.push(...page.events);
        cursor = page.next_cursor;
      } while (cursor);
      return out;
    },
    async close() {
      await rt.close();
      if (ownSim) await sim.close();
    },
  };
}

export const CHAT = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Summarise the quarterly AI spend for the finance team.' }] };
