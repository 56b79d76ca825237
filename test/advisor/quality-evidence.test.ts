/**
 * Model-fit findings read quality from outcomes: a candidate with enough outcomes and no
 * significantly lower success rate turns the finding `measured`; a worse one keeps it `estimated`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { attachQualityEvidence } from '../../src/advisor/quality-evidence.js';
import { buildAdvice } from '../../src/advisor/recommendations.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import type { OutcomeRecord } from '../../src/store/economics-types.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ADVISOR_FROM, ADVISOR_TO, advisorBook, advisorLedger, call } from './advisor-fixtures.js';

const outcome = (trace: string, success: boolean): OutcomeRecord => ({ id: `o-${trace}`, occurred_at: '2026-11-20T00:00:00.000Z', type: 'triaged', success, trace_id: trace, call_ids: [], customer: null, feature: 'triage', team: null, value_usd: null, attributes: {} });

async function modelFitWith(miniSuccesses: number) {
  const store = await DuckDbStore.open(join(tempDir('costrail-advisor-quality-'), 'data'));
  try {
    const ledger = advisorLedger().map((r): LedgerRecord => (r.attribution.feature === 'triage' && r.model === 'gpt-4o' ? { ...r, trace_id: `T-${r.id}` } : r));
    // An earlier canary: 30 triage calls already on gpt-4o-mini, streamed (not batch candidates).
    const canary = Array.from({ length: 30 }, (_v, i) => ({ ...call(new Date(Date.parse(ADVISOR_FROM) + 6 * 86_400_000 + i * 60_000).toISOString(), 'triage', 500, 20, { model: 'gpt-4o-mini', stream: true }), trace_id: `T-canary-${i}` }));
    await store.insertRecords([...ledger, ...canary]);
    const outcomes = [
      ...ledger.filter((r) => r.trace_id).map((r, i) => outcome(r.trace_id!, i !== 0)), // 9 of 10 on gpt-4o
      ...canary.map((r, i) => outcome(r.trace_id, i < miniSuccesses)),
    ];
    await store.economics.insertOutcomes(outcomes);
    const book = advisorBook();
    const report = await buildAdvice({ from: ADVISOR_FROM, to: ADVISOR_TO, book, records: [ledger] });
    await attachQualityEvidence(report, store, book);
    return report.recommendations.find((r) => r.kind === 'model_fit')!;
  } finally {
    await store.close();
  }
}

describe('advisor quality evidence from outcomes', () => {
  it('a candidate not significantly worse over 30+ outcomes makes the finding measured', async () => {
    const fit = await modelFitWith(27);
    assert.equal(fit.confidence, 'measured');
    assert.equal(fit.evidence['success_rate_current'], '0.9000');
    assert.equal(fit.evidence['success_rate_candidate'], '0.9000');
    assert.equal(fit.evidence['outcomes_candidate'], 30);
    assert.match(fit.assumptions.join('\n'), /quality measured from outcomes: gpt-4o-mini succeeded 27\/30/);
    // Savings are not touched by the evidence.
    assert.equal(fit.monthly_savings, '0.0522');
  });

  it('a significantly worse candidate stays estimated and says why', async () => {
    const fit = await modelFitWith(12);
    assert.equal(fit.confidence, 'estimated');
    assert.equal(fit.evidence['success_rate_candidate'], '0.4000');
    assert.match(fit.assumptions.join('\n'), /significantly worse/);
  });
});
