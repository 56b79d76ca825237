/**
 * Billed line items for the dashboard's Reconciliation page: a small exact case for the browser
 * test, and a realistic bill over an existing ledger for the screenshots.
 */
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { Decimal } from '../../src/pricing/decimal.js';
import type { BilledLine, ChargeKind } from '../../src/store/billed-line.js';
import type { Store } from '../../src/store/store.js';
import { makeRecord } from '../store/ledger-fixtures.js';

const DAY = 86_400_000;
const dayStart = (ms: number): number => Math.floor(ms / DAY) * DAY;

function bill(line: number, provider: string, dayMs: number, account: string | null, amount: string, kind: ChargeKind = 'usage', team: string | null = null): BilledLine {
  return {
    provider, account, service: null, model: null, charge_kind: kind, token_class: null, quantity: null, unit: null,
    amount, currency: 'USD', amount_usd: amount, charge_start: new Date(dayMs).toISOString(), charge_end: new Date(dayMs + DAY).toISOString(),
    invoice_period: new Date(dayMs).toISOString().slice(0, 7), team, description: null, line,
  };
}

async function importLines(store: Store, id: string, lines: BilledLine[]): Promise<void> {
  const meta = { import_id: id, format: 'focus' as const, source: `seed:${id}`, file: `${id}.csv` };
  await store.billed.begin(meta);
  await store.billed.append(id, lines);
  await store.billed.commit(id);
}

/**
 * The browser test's case, on the last three UTC days (d0 = two days ago … d2 = today):
 * observed 7.5, billed 9.55, gap 2.05 — openai's proj_a billed at 0.9× list, tax, a credit,
 * proj_shadow (2.5) and anthropic's wrkspc_dark (0.75) never in the ledger.
 */
export async function plantReconciliation(store: Store, now: number): Promise<void> {
  const d2 = dayStart(now);
  const d1 = d2 - DAY;
  const d0 = d1 - DAY;
  let n = 0;
  const call = (provider: string, at: number, total: string, project: string, team: string | null): LedgerRecord => {
    const base = makeRecord(++n);
    const iso = new Date(at).toISOString();
    return { ...base, id: `recon-${n}`, provider, started_at: iso, ended_at: iso, cost: { ...base.cost!, total, input: total, cache_read: '0', output: '0' }, attribution: { ...emptyAttribution(), project, team }, key_id: null };
  };
  await store.insertRecords([
    call('openai', d0 + 10 * 3_600_000, '4', 'proj_a', 'search'),
    call('openai', d1 + 10 * 3_600_000, '2', 'proj_a', null),
    call('anthropic', d2 + 30_000, '1.5', 'wrkspc_1', 'research'),
  ]);
  await importLines(store, 'recon-page', [
    bill(1, 'openai', d0, 'proj_a', '3.6'),
    bill(2, 'openai', d0, 'proj_shadow', '2.5'),
    bill(3, 'openai', d0, 'proj_a', '0.4', 'tax'),
    bill(4, 'openai', d1, 'proj_a', '1.8'),
    bill(5, 'openai', d1, 'proj_a', '-1', 'credit'),
    bill(6, 'anthropic', d2, 'wrkspc_1', '1.5'),
    bill(7, 'anthropic', d2, 'wrkspc_dark', '0.75'),
  ]);
}

/**
 * A bill for the ledger already in the store, over the last `days` full UTC days: each provider's
 * metered usage at a negotiated 8% off list, a few accounts the gateway never saw, tax and a
 * credit — so the page shows every kind of explanation.
 */
export async function seedBills(store: Store, now: number, days = 21): Promise<void> {
  const to = dayStart(now);
  const from = to - days * DAY;
  const spend = await store.getSpend({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), group_by: ['provider', 'project'], granularity: 'day' });
  const lines: BilledLine[] = [];
  const rate = Decimal.parse('0.92');
  const providers = new Set<string>();
  for (const r of spend.rows) {
    const provider = r.groups['provider'];
    if (!provider || !r.period) continue;
    providers.add(provider);
    const amount = Decimal.parse(r.cost).mul(rate).round(6);
    if (!amount.isZero()) lines.push(bill(lines.length + 1, provider, Date.parse(r.period), r.groups['project'] ?? null, amount.toString()));
  }
  // Accounts the gateway never saw: a share of the provider's metered usage that day.
  const shadow: [string, string, string, string | null][] = [
    ['openai', 'proj_data_science_notebooks', '0.18', null],
    ['anthropic', 'wrkspc_legal_pilot', '0.12', 'legal'],
    ['openai', 'proj_marketing_agency', '0.07', null],
  ];
  const usage = lines.slice();
  for (const [provider, account, share, team] of shadow) {
    for (const l of usage.filter((u) => u.provider === provider)) {
      const amount = Decimal.parse(l.amount).mul(Decimal.parse(share)).round(6);
      if (!amount.isZero()) lines.push(bill(lines.length + 1, provider, Date.parse(l.charge_start), account, amount.toString(), 'usage', team));
    }
  }
  for (const provider of providers) {
    const total = Decimal.sum(usage.filter((u) => u.provider === provider).map((u) => Decimal.parse(u.amount)));
    lines.push(bill(lines.length + 1, provider, to - 3 * DAY, null, total.mul(Decimal.parse('0.075')).round(2).toString(), 'tax'));
    lines.push(bill(lines.length + 1, provider, to - 10 * DAY, null, total.mul(Decimal.parse('-0.05')).round(2).toString(), 'credit'));
  }
  await importLines(store, 'screenshot-bills', lines);
}
