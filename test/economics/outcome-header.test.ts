/**
 * The outcome header on the last call of a task, end to end through the gateway in front of the
 * simulator, and the package's recordOutcome helper against a running server.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { outcomeFromHeader, parseOutcomeHeader } from '../../src/economics/outcome-header.js';
import type { Principal } from '../../src/http/principal.js';
import { recordOutcome } from '../../src/index.js';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { startSimulator } from '../../src/simulator/index.js';
import { makeRecord } from '../store/ledger-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('x-costrail-outcome parsing', () => {
  it('reads type, success, id and value_usd; refuses typos, repeats and missing fields', () => {
    assert.deepEqual(parseOutcomeHeader('type=ticket_resolved; success=true'), { ok: true, value: { type: 'ticket_resolved', success: true } });
    assert.deepEqual(parseOutcomeHeader(' Type = doc ;SUCCESS=No; id="task-9"; value_usd=1.50;'), { ok: true, value: { type: 'doc', success: false, id: 'task-9', value_usd: '1.50' } });
    for (const bad of ['type=x; sucess=true', 'type=x; success=true; success=false', 'success=true', 'type=x', 'type=x; success=maybe', 'type=x; success', 'x'.repeat(2000)]) {
      assert.equal(parseOutcomeHeader(bad).ok, false, bad);
    }
  });

  it('links the outcome to the call, its trace and its team; the schema still applies', () => {
    const call = { ...makeRecord(4), id: 'call-xyz', trace_id: 'tr-1', ended_at: '2026-11-22T08:00:05.000Z' };
    const o = outcomeFromHeader('type=ticket_resolved; success=true', call);
    assert.deepEqual(o, { ok: true, value: { id: 'hdr-call-xyz', occurred_at: '2026-11-22T08:00:05.000Z', type: 'ticket_resolved', success: true, trace_id: 'tr-1', call_ids: ['call-xyz'], customer: 'acme', feature: 'answer', team: 'search', value_usd: null, attributes: {} } });
    assert.equal(outcomeFromHeader('type=has space; success=true', call).ok, false);
    assert.equal(outcomeFromHeader('type=t; success=true; value_usd=lots', call).ok, false);
  });
});

describe('outcomes through the gateway and recordOutcome', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let rt: CostrailRuntime;
  before(async () => {
    sim = await startSimulator();
    rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-outcome-header-'), upstreams: { openai: `${sim.url}/v1` }, quiet: true });
    rt.context.auth.addSource({ authenticate: (t): Principal | undefined => (t === 'ads-token' ? { kind: 'scoped', token_id: 'tok-ads', scope: { team: 'ads' } } : undefined) });
  });
  after(async () => {
    await rt.close();
    await sim.close();
  });

  const chat = async (headers: Record<string, string>): Promise<number> => {
    const res = await fetch(`${rt.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'x-costrail-team': 'support', 'x-costrail-feature': 'tickets', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const unitEconomics = async (): Promise<{ rows: { key: string; calls: number; outcomes: number; successful_outcomes: number; unlinked_calls: number }[] }> => {
    const res = await fetch(`${rt.url}/api/economics/unit-economics?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&by=feature`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    return (await res.json()) as never;
  };

  it('the header on the last call records one outcome for every call of the trace; a bad header never refuses the call', async () => {
    const trace = (n: string) => `00-${n.repeat(32)}-${'b'.repeat(16)}-01`;
    assert.equal(await chat({ traceparent: trace('a') }), 200);
    assert.equal(await chat({ traceparent: trace('a') }), 200);
    assert.equal(await chat({ traceparent: trace('a'), 'x-costrail-outcome': 'type=ticket_resolved; success=true' }), 200);
    assert.equal(await chat({ traceparent: trace('c'), 'x-costrail-outcome': 'type=ticket_resolved; sucess=true' }), 200);
    await rt.writer.flush();
    let report = await unitEconomics();
    // The header outcome is written in the background: wait for it (bounded), never for a time.
    for (let i = 0; i < 100 && (report.rows[0]?.outcomes ?? 0) === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      report = await unitEconomics();
    }
    assert.deepEqual(report.rows.map((r) => [r.key, r.calls, r.outcomes, r.successful_outcomes, r.unlinked_calls]), [['tickets', 4, 1, 1, 1]]);
  });

  it('recordOutcome validates locally, posts, is idempotent by id, and surfaces a scope refusal', async () => {
    const opts = { url: rt.url, token: rt.adminToken };
    assert.deepEqual(await recordOutcome({ id: 'task-1', type: 'ticket_resolved', success: false, trace_id: 'nothing' }, opts), { id: 'task-1', inserted: true });
    assert.deepEqual(await recordOutcome({ id: 'task-1', type: 'ticket_resolved', success: true }, opts), { id: 'task-1', inserted: false });
    const generated = await recordOutcome({ type: 'doc', success: true, occurred_at: new Date('2026-11-22T00:00:00Z') }, opts);
    assert.match(generated.id, /^[0-9a-f-]{36}$/);
    await assert.rejects(recordOutcome({ type: 'bad type', success: true }, opts), RangeError);
    await assert.rejects(recordOutcome({ type: 'doc', success: true, team: 'search' }, { url: rt.url, token: 'ads-token' }), /HTTP 403.*team=ads/);
    await assert.rejects(recordOutcome({ type: 'doc', success: true }, { token: 'x', url: '' }), /COSTRAIL_URL/);
  });
});
