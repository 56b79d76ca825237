/** Shared by the keys tests: a real runtime in front of the simulator, and the admin API. */
import assert from 'node:assert/strict';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { startCostrail, type CostrailRuntime, type RuntimeOptions } from '../../src/server/costrail-runtime.js';
import { startSimulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

export type Sim = Awaited<ReturnType<typeof startSimulator>>;

export async function startStack(dataDir = tempDir('costrail-keys-'), extra: Partial<RuntimeOptions> = {}, sim?: Sim): Promise<{ sim: Sim; rt: CostrailRuntime; dataDir: string }> {
  const s = sim ?? (await startSimulator());
  const rt = await startCostrail({ port: 0, dataDir, quiet: true, upstreams: { openai: `${s.url}/v1`, anthropic: s.url, gemini: s.url }, ...extra });
  return { sim: s, rt, dataDir };
}

export async function api<T = Record<string, unknown>>(rt: CostrailRuntime, method: string, path: string, body?: unknown, token = rt.adminToken): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(rt.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** The newest ledger record (the writer is flushed first). */
export async function newestRecord(rt: CostrailRuntime): Promise<LedgerRecord> {
  await rt.writer.flush();
  const page = await rt.store.getEvents({ limit: 1 });
  const r = page.events[0];
  assert.ok(r, 'expected a ledger record');
  return r;
}

/** The ledger record of one request, by its x-costrail-request-id. */
export async function recordOf(rt: CostrailRuntime, requestId: string | null | undefined): Promise<LedgerRecord> {
  assert.ok(requestId, 'the response carries x-costrail-request-id');
  await rt.writer.flush();
  const r = (await rt.store.getEvents({ limit: 1000 })).events.find((e) => e.id === requestId);
  assert.ok(r, `no ledger record for request ${requestId}`);
  return r;
}
