/**
 * Showback and chargeback for one month: spend per owner (the `by` dimensions, e.g. team or
 * team+feature) with its model and usage breakdown, the change against the previous month and
 * what drove it, and the spend no owner can claim.
 *
 * Unattributed spend (the first `by` dimension absent) and shared spend (owners named as shared,
 * e.g. a platform team) are pools, reported as their own lines. An allocation rule may hand a
 * pool out to the owners; each owner then shows its direct spend and, separately, what it
 * received from which pool. Nothing is folded silently into an owner's direct figure, and
 *   sum(owner direct) + sum(pool cost)       = ledger total for the period, and
 *   sum(owner total) + sum(pool unallocated) = ledger total,
 * to the last decimal digit.
 */
import { Decimal } from '../pricing/decimal.js';
import type { SpendRow, Store } from '../store/store.js';
import { describeRule, splitExact, type AllocationRule } from '../analytics/allocation.js';
import { monthPeriod, type ReportPeriod } from './report-period.js';

export interface ShowbackOptions {
  /** Month, `YYYY-MM`. */
  period: string;
  /** Owner dimensions, e.g. ['team'] or ['team', 'feature']. */
  by: string[];
  allocate?: AllocationRule;
  /** Values of the first `by` dimension whose spend is shared (a pool), e.g. ['platform']. */
  shared?: string[];
  tz?: string;
  /** Drivers listed per owner and overall (default 3 and 5). */
  topDrivers?: number;
}

export interface UsageTotals {
  requests: number;
  unpriced_requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}

export interface ModelLine extends UsageTotals {
  model: string | null;
  cost: string;
}

export interface Driver {
  /** What moved: `model` or `feature` (or the owner itself in the overall list). */
  kind: 'model' | 'feature';
  name: string | null;
  owner?: string;
  previous: string;
  current: string;
  change: string;
}

export interface OwnerLine extends UsageTotals {
  owner: Record<string, string | null>;
  label: string;
  direct: string;
  /** What this owner received from each pool, by the allocation rule. */
  allocations: { pool: string; amount: string }[];
  allocated: string;
  /** direct + allocated. */
  total: string;
  previous: string;
  change: string;
  /** Percent change of direct spend; null when the previous month had none. */
  change_pct: number | null;
  models: ModelLine[];
  drivers: Driver[];
}

export interface PoolLine extends UsageTotals {
  kind: 'unattributed' | 'shared';
  owner: Record<string, string | null>;
  label: string;
  cost: string;
  previous: string;
  allocated: string;
  unallocated: string;
  models: ModelLine[];
}

export interface ShowbackReport {
  period: ReportPeriod;
  previous_period: ReportPeriod;
  tz: string;
  by: string[];
  allocation: { rule: string; shared: string[]; note: string | null };
  owners: OwnerLine[];
  pools: PoolLine[];
  drivers: Driver[];
  totals: {
    ledger: string;
    previous_ledger: string;
    change: string;
    direct: string;
    pools: string;
    allocated: string;
    unallocated: string;
    requests: number;
    unpriced_requests: number;
  };
}

const UNATTRIBUTED = '(unattributed)';

function zeroUsage(): UsageTotals {
  return { requests: 0, unpriced_requests: 0, input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 };
}

function addUsage(a: UsageTotals, r: SpendRow): void {
  a.requests += r.requests;
  a.unpriced_requests += r.unpriced_requests;
  a.input_tokens += r.input_tokens;
  a.output_tokens += r.output_tokens;
  a.cache_read_tokens += r.cache_read_tokens;
  a.cache_write_tokens += r.cache_write_tokens;
  a.reasoning_tokens += r.reasoning_tokens;
}

interface Group {
  owner: Record<string, string | null>;
  cost: Decimal;
  previous: Decimal;
  usage: UsageTotals;
  models: Map<string, { cost: Decimal; usage: UsageTotals }>;
  /** name -> [current, previous] per driver kind. */
  moves: Map<string, [Decimal, Decimal]>;
}

const keyOf = (owner: Record<string, string | null>, by: string[]): string => JSON.stringify(by.map((d) => owner[d] ?? null));
const labelOf = (owner: Record<string, string | null>, by: string[]): string => by.map((d) => owner[d] ?? (d === by[0] ? UNATTRIBUTED : `(no ${d})`)).join(' / ');

export async function buildShowback(store: Store, opts: ShowbackOptions): Promise<ShowbackReport> {
  if (opts.by.length === 0) throw new RangeError('by needs at least one dimension, e.g. team');
  if (opts.by.includes('model')) throw new RangeError('by: model is already the breakdown inside each owner; group owners by team, feature, customer…');
  const tz = opts.tz ?? 'UTC';
  const { current, previous } = monthPeriod(opts.period, tz);
  const rule = opts.allocate ?? { kind: 'none' };
  const shared = new Set(opts.shared ?? []);
  if (rule.kind === 'fixed') {
    const both = rule.shares.find((s) => shared.has(s.owner));
    if (both) throw new RangeError(`allocate fixed: "${both.owner}" is shared spend, it cannot also receive an allocation`);
  }
  const first = opts.by[0] as string;
  // Drivers by feature too, unless features are already owners.
  const featureDrivers = !opts.by.includes('feature');
  const groupBy = [...opts.by, 'model', ...(featureDrivers ? ['feature'] : [])];
  const [cur, prev] = await Promise.all([
    store.getSpend({ from: current.from, to: current.to, group_by: groupBy, granularity: 'none', tz }),
    store.getSpend({ from: previous.from, to: previous.to, group_by: groupBy, granularity: 'none', tz }),
  ]);

  const groups = new Map<string, Group>();
  const groupFor = (row: SpendRow): Group => {
    const owner = Object.fromEntries(opts.by.map((d) => [d, row.groups[d] ?? null]));
    const k = keyOf(owner, opts.by);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { owner, cost: Decimal.ZERO, previous: Decimal.ZERO, usage: zeroUsage(), models: new Map(), moves: new Map() }));
    return g;
  };
  const move = (g: Group, key: string, cost: Decimal, idx: 0 | 1): void => {
    const m = g.moves.get(key) ?? [Decimal.ZERO, Decimal.ZERO];
    m[idx] = m[idx].add(cost);
    g.moves.set(key, m);
  };
  for (const row of cur.rows) {
    const g = groupFor(row);
    const cost = Decimal.parse(row.cost);
    g.cost = g.cost.add(cost);
    addUsage(g.usage, row);
    const model = row.groups['model'] ?? null;
    const ml = g.models.get(JSON.stringify(model)) ?? { cost: Decimal.ZERO, usage: zeroUsage() };
    ml.cost = ml.cost.add(cost);
    addUsage(ml.usage, row);
    g.models.set(JSON.stringify(model), ml);
    move(g, JSON.stringify(['model', model]), cost, 0);
    if (featureDrivers) move(g, JSON.stringify(['feature', row.groups['feature'] ?? null]), cost, 0);
  }
  for (const row of prev.rows) {
    const g = groupFor(row);
    const cost = Decimal.parse(row.cost);
    g.previous = g.previous.add(cost);
    move(g, JSON.stringify(['model', row.groups['model'] ?? null]), cost, 1);
    if (featureDrivers) move(g, JSON.stringify(['feature', row.groups['feature'] ?? null]), cost, 1);
  }

  const isPool = (g: Group): 'unattributed' | 'shared' | null => {
    const v = g.owner[first] ?? null;
    if (v === null) return 'unattributed';
    return shared.has(v) ? 'shared' : null;
  };
  const top = opts.topDrivers ?? 3;
  const driversOf = (g: Group, owner?: string): Driver[] => {
    const moves = [...g.moves.entries()].map(([k, [c, p]]) => {
      const [kind, name] = JSON.parse(k) as ['model' | 'feature', string | null];
      return { kind, name, ...(owner === undefined ? {} : { owner }), previous: p.toString(), current: c.toString(), change: c.sub(p).toString() };
    });
    // An owner's only feature (or only model) "drove" all of its change: that explains nothing.
    const kinds = new Map<string, number>();
    for (const m of moves) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
    return moves.filter((d) => (kinds.get(d.kind) ?? 0) > 1 && !Decimal.parse(d.change).isZero());
  };
  const byMagnitude = (a: Driver, b: Driver): number => abs(Decimal.parse(b.change)).cmp(abs(Decimal.parse(a.change))) || String(a.name).localeCompare(String(b.name));
  const modelLines = (g: Group): ModelLine[] =>
    [...g.models.entries()].map(([k, m]) => ({ model: JSON.parse(k) as string | null, cost: m.cost.toString(), ...m.usage })).sort((a, b) => Decimal.parse(b.cost).cmp(Decimal.parse(a.cost)) || b.requests - a.requests);

  const ownerGroups = [...groups.values()].filter((g) => !isPool(g));
  const poolGroups = [...groups.values()].filter((g) => isPool(g) && !(g.cost.isZero() && g.usage.requests === 0 && g.previous.isZero()));

  // Allocation: who receives, with which weights.
  const received = new Map<Group, { pool: string; amount: Decimal }[]>();
  let note: string | null = null;
  const recipients = (): { g: Group; weight: Decimal }[] => {
    if (rule.kind === 'proportional') return ownerGroups.filter((g) => g.cost.cmp(Decimal.ZERO) > 0).map((g) => ({ g, weight: g.cost }));
    if (rule.kind === 'even') return ownerGroups.filter((g) => g.cost.cmp(Decimal.ZERO) > 0).map((g) => ({ g, weight: Decimal.ONE }));
    if (rule.kind === 'fixed') {
      const out: { g: Group; weight: Decimal }[] = [];
      for (const s of rule.shares) {
        let members = ownerGroups.filter((g) => g.owner[first] === s.owner);
        if (members.length === 0) {
          // A named owner without spend of its own still receives its share, on a line of its own.
          const owner = Object.fromEntries(opts.by.map((d) => [d, d === first ? s.owner : null]));
          const g: Group = { owner, cost: Decimal.ZERO, previous: Decimal.ZERO, usage: zeroUsage(), models: new Map(), moves: new Map() };
          ownerGroups.push(g);
          members = [g];
        }
        // Inside one named owner (team+feature reports), its share follows its own direct spend.
        const inside = Decimal.sum(members.map((g) => g.cost));
        const parts = inside.isZero() ? splitExact(s.percent, members.map(() => Decimal.ONE)) : splitExact(s.percent, members.map((g) => g.cost));
        members.forEach((g, i) => out.push({ g, weight: parts[i] ?? Decimal.ZERO }));
      }
      return out;
    }
    return [];
  };
  const targets = rule.kind === 'none' ? [] : recipients();
  if (rule.kind !== 'none' && targets.length === 0) note = 'no owner had attributed spend this period: pools left unallocated';
  const poolLines: PoolLine[] = poolGroups.map((g) => {
    const kind = isPool(g) as 'unattributed' | 'shared';
    const label = labelOf(g.owner, opts.by);
    let allocated = Decimal.ZERO;
    if (targets.length > 0 && !g.cost.isZero()) {
      const parts = splitExact(g.cost, targets.map((t) => t.weight));
      targets.forEach((t, i) => {
        const amount = parts[i] ?? Decimal.ZERO;
        if (amount.isZero()) return;
        const list = received.get(t.g) ?? [];
        list.push({ pool: label, amount });
        received.set(t.g, list);
        allocated = allocated.add(amount);
      });
    }
    return { kind, owner: g.owner, label, cost: g.cost.toString(), previous: g.previous.toString(), allocated: allocated.toString(), unallocated: g.cost.sub(allocated).toString(), ...g.usage, models: modelLines(g) };
  });

  const owners: OwnerLine[] = ownerGroups.map((g) => {
    const label = labelOf(g.owner, opts.by);
    const allocations = received.get(g) ?? [];
    const allocated = Decimal.sum(allocations.map((a) => a.amount));
    const change = g.cost.sub(g.previous);
    return {
      owner: g.owner,
      label,
      direct: g.cost.toString(),
      allocations: allocations.map((a) => ({ pool: a.pool, amount: a.amount.toString() })),
      allocated: allocated.toString(),
      total: g.cost.add(allocated).toString(),
      previous: g.previous.toString(),
      change: change.toString(),
      change_pct: g.previous.isZero() ? null : Math.round((change.toNumber() / g.previous.toNumber()) * 1000) / 10,
      ...g.usage,
      models: modelLines(g),
      drivers: driversOf(g).sort(byMagnitude).slice(0, top),
    };
  });
  owners.sort((a, b) => Decimal.parse(b.total).cmp(Decimal.parse(a.total)) || a.label.localeCompare(b.label));
  poolLines.sort((a, b) => Decimal.parse(b.cost).cmp(Decimal.parse(a.cost)));

  const direct = Decimal.sum(owners.map((o) => Decimal.parse(o.direct)));
  const pools = Decimal.sum(poolLines.map((p) => Decimal.parse(p.cost)));
  const allocated = Decimal.sum(poolLines.map((p) => Decimal.parse(p.allocated)));
  const ledger = Decimal.parse(cur.total.cost);
  if (!direct.add(pools).eq(ledger)) throw new Error(`showback does not reconcile: owners ${direct} + pools ${pools} != ledger ${ledger}`);
  return {
    period: current,
    previous_period: previous,
    tz,
    by: opts.by,
    allocation: { rule: describeRule(rule), shared: [...shared], note },
    owners,
    pools: poolLines,
    drivers: [...groups.values()].flatMap((g) => driversOf(g, labelOf(g.owner, opts.by))).sort(byMagnitude).slice(0, opts.topDrivers ?? 5),
    totals: {
      ledger: ledger.toString(),
      previous_ledger: prev.total.cost,
      change: ledger.sub(Decimal.parse(prev.total.cost)).toString(),
      direct: direct.toString(),
      pools: pools.toString(),
      allocated: allocated.toString(),
      unallocated: pools.sub(allocated).toString(),
      requests: cur.total.requests,
      unpriced_requests: cur.total.unpriced_requests,
    },
  };
}

function abs(d: Decimal): Decimal {
  return d.isNegative() ? d.neg() : d;
}
