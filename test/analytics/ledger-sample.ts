/** 60 hourly records over three teams (one unattributed), two models, a tag on every fourth, every tenth unpriced. */
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { makeRecord, makeUnpricedRecord } from '../store/ledger-fixtures.js';

export function ledgerSample(): LedgerRecord[] {
  const teams = ['search', 'ads', null] as const;
  const models = ['gpt-4o-mini-2024-07-18', 'claude-sonnet-4'];
  const out: LedgerRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const base = i % 10 === 9 ? makeUnpricedRecord(i) : makeRecord(i);
    out.push({
      ...base,
      started_at: new Date(Date.UTC(2026, 10, 20) + i * 3_600_000).toISOString(),
      ended_at: null,
      model: base.model === null ? null : models[i % 2]!,
      cost: base.cost && { ...base.cost, total: `0.${String(i + 1).padStart(4, '0')}1` },
      attribution: { ...base.attribution, team: teams[i % 3]! },
      tags: i % 4 === 0 ? { experiment: 'b' } : {},
    });
  }
  return out;
}
