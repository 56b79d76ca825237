/**
 * Reconciliation: what the ledger observed (list-price cost of metered calls) against what the
 * imported bills charged, per provider and day (optionally per model or account), with the gap
 * (billed − observed, exact) attributed as far as the data allows:
 *
 * - tax, credit (credits and refunds), discount: the bill's own lines of those kinds;
 * - unmetered_account: usage on accounts/projects/keys the bill names but the ledger never saw
 *   (matched against the ledger's `project` attribution and `key_id`);
 * - unpriced_calls: where the ledger holds calls it could not price, the billed excess for them;
 * - price_difference: metered usage billed at a ratio to list price that is the same on every day
 *   of the range for that model (or account): a negotiated discount, worth a price override;
 * - timing: otherwise, a shortfall on one day offset by an excess on the next (spend recorded on
 *   the other side of a day boundary).
 *
 * What none of these explain stays unexplained: gap − Σ explained. Fees and commitment purchases
 * are in `billed` but no explanation kind covers them.
 */
import { Decimal } from '../pricing/decimal.js';
import type { BilledTotalRow } from '../store/billed-line.js';
import type { SpendRow, Store } from '../store/store.js';
import { COVERAGE_GRAINS, coverageByProvider, coverageTrend, type CoverageGrain, type CoveragePoint, type ProviderCoverage } from './coverage-trend.js';

export const EXPLANATION_KINDS = ['unmetered_account', 'price_difference', 'credit', 'tax', 'discount', 'unpriced_calls', 'timing'] as const;
export type ExplanationKind = (typeof EXPLANATION_KINDS)[number];

export interface Explanation {
  kind: ExplanationKind;
  amount: string;
  detail: string;
}

export interface ReconciliationFigures {
  observed: string;
  billed: string;
  gap: string;
  gap_pct: number | null;
  explained: Explanation[];
}

export interface ReconciliationRow extends ReconciliationFigures {
  provider: string;
  day: string;
  model?: string | null;
  account?: string | null;
}

export interface ReconciliationResult {
  rows: ReconciliationRow[];
  total: ReconciliationFigures;
  coverage: { metered_pct: number | null; attributed_pct: number | null };
  /** The same coverage per day or week, per provider and overall (src/billing/coverage-trend.ts). */
  coverage_trend: CoveragePoint[];
  /** The range's coverage per provider, with the usage amounts behind it. */
  coverage_by_provider: ProviderCoverage[];
}

export type ReconcileBy = 'model' | 'account' | null;

export interface ReconciliationQuery {
  from: string;
  to: string;
  /** The optional third dimension after provider,day. */
  by: ReconcileBy;
  tz: string;
  /** Buckets of `coverage_trend`. */
  trend: CoverageGrain;
}

/** Validates the query strings (CLI flags and HTTP parameters alike). */
export function parseReconciliationQuery(q: { from?: string | null; to?: string | null; by?: string | null; tz?: string | null; trend?: string | null }): ReconciliationQuery | { error: string } {
  if (!q.from || !q.to) return { error: 'from and to are required (ISO 8601)' };
  const from = Date.parse(q.from);
  const to = Date.parse(q.to);
  if (!Number.isFinite(from)) return { error: `from is not an ISO 8601 date or time: ${q.from}` };
  if (!Number.isFinite(to)) return { error: `to is not an ISO 8601 date or time: ${q.to}` };
  if (to <= from) return { error: 'to must be after from' };
  const tz = q.tz ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
  } catch {
    return { error: `unknown time zone: ${tz}` };
  }
  const dims = (q.by ?? 'provider,day').split(',').map((d) => d.trim()).filter(Boolean);
  const extra = dims.filter((d) => d !== 'provider' && d !== 'day');
  if (!dims.includes('provider') || !dims.includes('day') || extra.length > 1 || (extra[0] !== undefined && extra[0] !== 'model' && extra[0] !== 'account')) {
    return { error: `by must be provider,day optionally followed by model or account (got "${q.by}")` };
  }
  const trend = q.trend ?? 'day';
  if (!(COVERAGE_GRAINS as readonly string[]).includes(trend)) return { error: `trend must be day or week (got "${trend}")` };
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), by: (extra[0] as ReconcileBy | undefined) ?? null, tz, trend: trend as CoverageGrain };
}

const USAGE = 'usage';
const ZERO = Decimal.ZERO;
const add = (m: Map<string, Decimal>, k: string, v: Decimal): void => {
  m.set(k, (m.get(k) ?? ZERO).add(v));
};
const money = (d: Decimal): string => d.toString();
const pct = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10000) / 100);

/** One (provider, day, key) cell: key is the model (or the account, when reconciling by account). */
interface Cell {
  provider: string;
  day: string;
  key: string | null;
  observed: Decimal;
  unpriced: number;
  billed: Decimal;
  /** Billed amounts by charge kind. */
  kinds: Map<string, Decimal>;
  /** Usage billed on accounts the ledger metered (or on no named account). */
  meteredUsage: Decimal;
  /** Usage billed on accounts the ledger never saw, by account. */
  unmetered: Map<string, Decimal>;
  explained: Map<ExplanationKind, { amount: Decimal; details: Set<string> }>;
}

function explain(cell: Cell, kind: ExplanationKind, amount: Decimal, detail: string): void {
  if (amount.isZero()) return;
  const e = cell.explained.get(kind) ?? { amount: ZERO, details: new Set<string>() };
  e.amount = e.amount.add(amount);
  e.details.add(detail);
  cell.explained.set(kind, e);
}

const ledgerAccount = (g: SpendRow['groups']): string | null => g['project'] ?? g['key_id'] ?? null;

export async function reconcile(store: Store, q: ReconciliationQuery): Promise<ReconciliationResult> {
  const dayOf = (() => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: q.tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    return (iso: string): string => fmt.format(new Date(iso));
  })();
  const spend = await store.getSpend({ from: q.from, to: q.to, group_by: ['provider', 'model', 'project', 'key_id', 'team'], granularity: 'day', tz: q.tz });
  const billed: BilledTotalRow[] = await store.billed.totals({ from: q.from, to: q.to });

  // What the ledger saw, per provider: accounts (project or key) and model names.
  const meteredAccounts = new Map<string, Set<string>>();
  const ledgerModels = new Map<string, Set<string>>();
  const observedByProvider = new Map<string, { all: Decimal; team: Decimal }>();
  for (const r of spend.rows) {
    const p = r.groups['provider'] ?? 'unknown';
    const accounts = meteredAccounts.get(p) ?? new Set<string>();
    for (const a of [r.groups['project'], r.groups['key_id']]) if (a) accounts.add(a);
    meteredAccounts.set(p, accounts);
    const models = ledgerModels.get(p) ?? new Set<string>();
    if (r.groups['model']) models.add(r.groups['model']);
    ledgerModels.set(p, models);
    const o = observedByProvider.get(p) ?? { all: ZERO, team: ZERO };
    const c = Decimal.parse(r.cost);
    observedByProvider.set(p, { all: o.all.add(c), team: r.groups['team'] ? o.team.add(c) : o.team });
  }
  /** A billed model name matched to the ledger's name for it (exact, case-insensitive, or dated variant). */
  const matchModel = (provider: string, model: string | null): string | null => {
    if (model === null) return null;
    const names = ledgerModels.get(provider);
    if (!names) return model;
    const lower = model.toLowerCase();
    for (const n of names) if (n.toLowerCase() === lower) return n;
    for (const n of names) if (lower.startsWith(n.toLowerCase() + '-') || n.toLowerCase().startsWith(lower + '-')) return n;
    return model;
  };
  const isMetered = (provider: string, account: string | null): boolean => account === null || (meteredAccounts.get(provider)?.has(account) ?? false);

  const cells = new Map<string, Cell>();
  const cellOf = (provider: string, day: string, key: string | null): Cell => {
    const id = JSON.stringify([provider, day, key]);
    let c = cells.get(id);
    if (!c) {
      c = { provider, day, key, observed: ZERO, unpriced: 0, billed: ZERO, kinds: new Map(), meteredUsage: ZERO, unmetered: new Map(), explained: new Map() };
      cells.set(id, c);
    }
    return c;
  };

  for (const r of spend.rows) {
    const provider = r.groups['provider'] ?? 'unknown';
    const key = q.by === 'account' ? ledgerAccount(r.groups) : (r.groups['model'] ?? null);
    const c = cellOf(provider, dayOf(r.period ?? q.from), key);
    c.observed = c.observed.add(Decimal.parse(r.cost));
    c.unpriced += r.unpriced_requests;
  }

  let usageTotal = ZERO;
  let usageMetered = ZERO;
  let unmeteredWithTeam = ZERO;
  const meteredByProvider = new Map<string, Decimal>();
  for (const b of billed) {
    const amount = Decimal.parse(b.amount_usd);
    const key = q.by === 'account' ? b.account : b.charge_kind === USAGE || b.model !== null ? matchModel(b.provider, b.model) : null;
    const c = cellOf(b.provider, dayOf(b.charge_start), key);
    c.billed = c.billed.add(amount);
    add(c.kinds, b.charge_kind, amount);
    if (b.charge_kind !== USAGE) continue;
    usageTotal = usageTotal.add(amount);
    if (isMetered(b.provider, b.account)) {
      c.meteredUsage = c.meteredUsage.add(amount);
      usageMetered = usageMetered.add(amount);
      add(meteredByProvider, b.provider, amount);
    } else {
      add(c.unmetered, b.account ?? '', amount);
      if (b.has_team) unmeteredWithTeam = unmeteredWithTeam.add(amount);
    }
  }

  // The bill's own kinds, and accounts the ledger never saw.
  for (const c of cells.values()) {
    explain(c, 'tax', c.kinds.get('tax') ?? ZERO, 'tax on the bill');
    explain(c, 'credit', (c.kinds.get('credit') ?? ZERO).add(c.kinds.get('refund') ?? ZERO), 'credits and refunds on the bill');
    explain(c, 'discount', c.kinds.get('discount') ?? ZERO, 'discounts on the bill (negotiated, Savings Plans, EDP)');
    for (const [account, amount] of c.unmetered) explain(c, 'unmetered_account', amount, account);
  }

  // Metered usage against observed cost, per provider and key across the days of the range.
  const series = new Map<string, Cell[]>();
  for (const c of cells.values()) {
    const id = JSON.stringify([c.provider, c.key]);
    series.set(id, [...(series.get(id) ?? []), c]);
  }
  for (const days of series.values()) {
    days.sort((a, b) => (a.day < b.day ? -1 : 1));
    const diffs = days.map((c) => c.meteredUsage.sub(c.observed));
    // Calls the ledger could not price: the bill's excess on those days is theirs.
    days.forEach((c, i) => {
      if (c.unpriced > 0 && diffs[i]!.cmp(ZERO) > 0) {
        explain(c, 'unpriced_calls', diffs[i]!, `${c.unpriced} call(s) in the ledger have no price${c.key && q.by !== 'account' ? ` for ${c.key}` : ''}; the bill charges for them`);
        diffs[i] = ZERO;
      }
    });
    const ratios = days.map((c, i) => (diffs[i]!.isZero() || c.observed.isZero() || c.meteredUsage.isZero() ? null : c.meteredUsage.toNumber() / c.observed.toNumber()));
    const seen = ratios.filter((r): r is number => r !== null);
    const consistent = seen.length > 0 && seen.length === diffs.filter((d) => !d.isZero()).length && seen.every((r) => Math.abs(r - seen[0]!) <= 0.005 * seen[0]!);
    if (consistent) {
      const ratio = seen[0]!;
      const what = days[0]!.key ?? 'this provider';
      const hint = ratio < 1 ? ` — a negotiated discount of about ${((1 - ratio) * 100).toFixed(1)}%? Record it: costrail prices override set --provider ${days[0]!.provider}${q.by === 'account' || !days[0]!.key ? '' : ` --models ${days[0]!.key}`} --percent ${((1 - ratio) * 100).toFixed(1)}` : '';
      days.forEach((c, i) => explain(c, 'price_difference', diffs[i]!, `${what} billed at ${ratio.toFixed(4)}× the ledger's list price on every day it was used${hint}`));
      continue;
    }
    // A shortfall one day offset by an excess the next: the same spend, dated differently.
    for (let i = 0; i + 1 < days.length; i++) {
      const a = diffs[i]!;
      const b = diffs[i + 1]!;
      if (a.isZero() || b.isZero() || a.isNegative() === b.isNegative()) continue;
      const absA = a.isNegative() ? a.neg() : a;
      const absB = b.isNegative() ? b.neg() : b;
      const t = absA.cmp(absB) <= 0 ? absA : absB;
      const signedA = a.isNegative() ? t.neg() : t;
      explain(days[i]!, 'timing', signedA, `spend recorded on the other side of the day boundary with ${days[i + 1]!.day}`);
      explain(days[i + 1]!, 'timing', signedA.neg(), `spend recorded on the other side of the day boundary with ${days[i]!.day}`);
      diffs[i] = a.sub(signedA);
      diffs[i + 1] = b.add(signedA);
    }
  }

  // Rows: cells summed to the requested dimensions.
  const rowCells = new Map<string, Cell[]>();
  for (const c of cells.values()) {
    const id = JSON.stringify(q.by ? [c.provider, c.day, c.key] : [c.provider, c.day]);
    rowCells.set(id, [...(rowCells.get(id) ?? []), c]);
  }
  const rows: ReconciliationRow[] = [...rowCells.values()].map((cs) => {
    const head = cs[0]!;
    const row: ReconciliationRow = { provider: head.provider, day: head.day, ...figures(cs) };
    if (q.by === 'model') return { provider: row.provider, day: row.day, model: head.key, ...figures(cs) };
    if (q.by === 'account') return { provider: row.provider, day: row.day, account: head.key, ...figures(cs) };
    return row;
  });
  rows.sort((a, b) => (a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.provider !== b.provider ? (a.provider < b.provider ? -1 : 1) : String(a.model ?? a.account ?? '') < String(b.model ?? b.account ?? '') ? -1 : 1));

  let attributed = unmeteredWithTeam.toNumber();
  for (const [p, m] of meteredByProvider) {
    const o = observedByProvider.get(p);
    if (o && !o.all.isZero()) attributed += m.toNumber() * (o.team.toNumber() / o.all.toNumber());
  }
  return {
    rows,
    total: figures([...cells.values()]),
    coverage: { metered_pct: pct(usageMetered.toNumber(), usageTotal.toNumber()), attributed_pct: pct(attributed, usageTotal.toNumber()) },
    coverage_trend: coverageTrend({ grain: q.trend, spendRows: spend.rows, billed, dayOf, isMetered, rangeStart: q.from }),
    coverage_by_provider: coverageByProvider({ spendRows: spend.rows, billed, dayOf, isMetered, rangeStart: q.from }),
  };
}

function figures(cs: readonly Cell[]): ReconciliationFigures {
  const observed = Decimal.sum(cs.map((c) => c.observed));
  const billed = Decimal.sum(cs.map((c) => c.billed));
  const gap = billed.sub(observed);
  const merged = new Map<ExplanationKind, { amount: Decimal; details: Set<string> }>();
  for (const c of cs) {
    for (const [kind, e] of c.explained) {
      const m = merged.get(kind) ?? { amount: ZERO, details: new Set<string>() };
      m.amount = m.amount.add(e.amount);
      for (const d of e.details) m.details.add(d);
      merged.set(kind, m);
    }
  }
  const explained: Explanation[] = EXPLANATION_KINDS.flatMap((kind) => {
    const e = merged.get(kind);
    if (!e || e.amount.isZero()) return [];
    const details = kind === 'unmetered_account' ? unmeteredDetail(cs) : [...e.details];
    return [{ kind, amount: money(e.amount), detail: details.length > 5 ? `${details.slice(0, 5).join('; ')}; and ${details.length - 5} more` : details.join('; ') }];
  });
  return { observed: money(observed), billed: money(billed), gap: money(gap), gap_pct: billed.isZero() ? null : Math.round((gap.toNumber() / billed.toNumber()) * 10000) / 100, explained };
}

/** Accounts on the bill the ledger never saw, each once with its spend, largest first. */
function unmeteredDetail(cs: readonly Cell[]): string[] {
  const byAccount = new Map<string, Decimal>();
  for (const c of cs) for (const [account, amount] of c.unmetered) add(byAccount, account, amount);
  return [...byAccount]
    .sort((a, b) => b[1].cmp(a[1]))
    .map(([account, amount]) => `${account || '(no account)'} ($${amount.toString()}) is on the bill but never in the ledger`);
}
