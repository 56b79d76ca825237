/**
 * `costrail report gpu` / `GET /api/gpu`: what self-hosted inference cost per model, per token, and
 * against the cheapest comparable API.
 *
 * - Cost per model: the GPU cost of the usage lines naming that model (lines without a model are
 *   `unattributed`: hours that served no recorded model are still paid for).
 * - Input vs output split: an output token is weighted `output_weight` input tokens (default 4: decode
 *   takes far more GPU time per token than prefill, and 4x is the usual API list-price ratio), so
 *   $/1M input = cost × 10^6 / (input + w × output) and $/1M output = w × that. w = 1 is a plain
 *   token-share split.
 * - Utilisation where the data says how long the GPUs were busy: busy / paid hours over the lines
 *   that report it, and the idle cost (paid − busy hours) × hourly rate — idle GPUs are the cost.
 * - The comparison is independent of the split: what the model's own input and output tokens would
 *   have cost on each comparable API model (data/comparable-models.json) at price-book rates, the
 *   cheapest named, and the saving (API cost − GPU cost; negative when the API would be cheaper).
 */
import { Decimal } from '../pricing/decimal.js';
import type { GpuUsageLine } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import type { ComparableModels, ComparablePrice } from './comparable-models.js';
import { ratio } from './money-ratio.js';

export const DEFAULT_OUTPUT_WEIGHT = '4';

export interface GpuReportQuery {
  from: string;
  to: string;
  /** Input-token equivalents of one output token (a positive decimal, at most 1000). */
  output_weight?: string;
}

interface Usage {
  gpu_hours: string;
  /** Null when no line of the group reports busy hours. */
  busy_hours: string | null;
  /** busy / paid hours over the lines that report busy hours, 4 decimals. */
  utilisation: string | null;
  cost_usd: string;
  /** (paid − busy hours) × hourly rate, over the lines that report busy hours. */
  idle_cost_usd: string | null;
}

export interface GpuModelRow extends Usage {
  model: string;
  family: string | null;
  instance_types: string[];
  input_tokens: number;
  output_tokens: number;
  /** USD per 1M tokens (6 decimals); null when the model served no tokens. */
  cost_per_1m_input: string | null;
  cost_per_1m_output: string | null;
  comparable: ComparablePrice | null;
  /** comparable.api_cost_usd − cost_usd: positive when self-hosting saved money. */
  savings_usd: string | null;
  unpriced_comparables: string[];
}

export interface GpuReport {
  from: string;
  to: string;
  output_weight: string;
  comparables_version: string;
  models: GpuModelRow[];
  instance_types: (Usage & { instance_type: string })[];
  unattributed: Usage;
  total: Usage & { input_tokens: number; output_tokens: number };
}

export class GpuReportInputError extends Error {
  override readonly name = 'GpuReportInputError';
}

class UsageSum {
  hours = Decimal.ZERO;
  cost = Decimal.ZERO;
  knownHours = Decimal.ZERO;
  busy = Decimal.ZERO;
  idle = Decimal.ZERO;
  known = false;

  add(l: GpuUsageLine): void {
    const hours = Decimal.parse(l.gpu_hours);
    this.hours = this.hours.add(hours);
    this.cost = this.cost.add(Decimal.parse(l.cost_usd));
    if (l.busy_hours === null) return;
    const busy = Decimal.parse(l.busy_hours);
    this.known = true;
    this.knownHours = this.knownHours.add(hours);
    this.busy = this.busy.add(busy);
    this.idle = this.idle.add(hours.sub(busy).mul(Decimal.parse(l.hourly_usd)));
  }

  view(): Usage {
    const util = this.known && !this.knownHours.isZero() ? ratio(this.busy, 10n ** BigInt(this.knownHours.scale), this.knownHours.coef, 4).toString() : null;
    return { gpu_hours: this.hours.toString(), busy_hours: this.known ? this.busy.toString() : null, utilisation: util, cost_usd: this.cost.toString(), idle_cost_usd: this.known ? this.idle.toString() : null };
  }
}

export function parseOutputWeight(raw: string | undefined): Decimal {
  const s = (raw ?? DEFAULT_OUTPUT_WEIGHT).trim();
  const w = /^\d{1,4}(\.\d{1,6})?$/.test(s) ? Decimal.parse(s) : undefined;
  if (!w || w.isZero() || w.cmp(Decimal.parse('1000')) > 0) throw new GpuReportInputError(`output_weight must be a positive decimal up to 1000 (input-token equivalents of one output token), not "${raw}"`);
  return w;
}

export async function gpuReport(store: Store, comparables: ComparableModels, q: GpuReportQuery): Promise<GpuReport> {
  const w = parseOutputWeight(q.output_weight);
  const lines = await store.inventory.gpuUsage({ from: q.from, to: q.to });
  const total = new UsageSum();
  const unattributed = new UsageSum();
  const byType = new Map<string, UsageSum>();
  const byModel = new Map<string, { usage: UsageSum; types: Set<string>; input: bigint; output: bigint }>();
  for (const l of lines) {
    total.add(l);
    // Token-only lines (a Prometheus import without an instance type) have no hours to show per type.
    if (l.instance_type !== '') {
      const t = byType.get(l.instance_type) ?? new UsageSum();
      t.add(l);
      byType.set(l.instance_type, t);
    }
    if (l.model === null) {
      unattributed.add(l);
      continue;
    }
    const m = byModel.get(l.model) ?? { usage: new UsageSum(), types: new Set<string>(), input: 0n, output: 0n };
    m.usage.add(l);
    if (l.instance_type !== '') m.types.add(l.instance_type);
    m.input += BigInt(l.input_tokens);
    m.output += BigInt(l.output_tokens);
    byModel.set(l.model, m);
  }
  // Prices as they stood at the end of the window (its last instant, or now if that is later).
  const at = new Date(Math.min(Date.parse(q.to) - 1, Date.now()));
  const models: GpuModelRow[] = [];
  for (const [model, m] of [...byModel.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const usage = m.usage.view();
    const cost = Decimal.parse(usage.cost_usd);
    // weighted tokens = input + w × output, as an integer over 10^w.scale.
    const weighted = m.input * 10n ** BigInt(w.scale) + m.output * w.coef;
    const perInput = weighted === 0n ? null : ratio(cost, 1_000_000n * 10n ** BigInt(w.scale), weighted, 6);
    const verdict = comparables.cheapestFor(model, m.input, m.output, at);
    models.push({
      model,
      family: verdict.family,
      instance_types: [...m.types].sort(),
      ...usage,
      input_tokens: Number(m.input),
      output_tokens: Number(m.output),
      cost_per_1m_input: perInput === null ? null : perInput.toString(),
      cost_per_1m_output: perInput === null ? null : ratio(perInput.mul(w), 1n, 1n, 6).toString(),
      comparable: verdict.cheapest,
      savings_usd: verdict.cheapest === null ? null : Decimal.parse(verdict.cheapest.api_cost_usd).sub(cost).toString(),
      unpriced_comparables: verdict.unpriced,
    });
  }
  return {
    from: q.from,
    to: q.to,
    output_weight: w.toString(),
    comparables_version: comparables.version,
    models,
    instance_types: [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([instance_type, u]) => ({ instance_type, ...u.view() })),
    unattributed: unattributed.view(),
    total: { ...total.view(), input_tokens: lines.reduce((n, l) => n + l.input_tokens, 0), output_tokens: lines.reduce((n, l) => n + l.output_tokens, 0) },
  };
}
