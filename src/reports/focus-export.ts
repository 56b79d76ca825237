/**
 * FOCUS 1.2 export of the ledger (`costrail export focus`, `GET /api/exports/focus`).
 *
 * One row per usage kind (input, cache read, cache write, output, reasoning, audio, image, tool
 * calls, other charges) per charge period (hour or day, UTC) per provider, model, price version
 * and attribution set (team, project, feature, customer, env, agent, prompt version, priority,
 * key, tags). Per-call detail (user, trace) stays in `/api/events`: it would make every row a call.
 *
 * Money: the record's cost parts, summed as exact decimals. A cost's `other` (provider fees, the
 * gap to a provider-reported total) is its own `other` row, so BilledCost sums to the ledger's
 * total to the last digit. The ledger keeps the charged figure only, so ListCost = ContractedCost
 * = EffectiveCost = BilledCost (negotiated discounts are already in it). Unpriced calls are
 * exported with their consumption, zero cost and x_priced=false, never silently dropped.
 */
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { Decimal } from '../pricing/decimal.js';
import type { Usage } from '../providers/spec.js';
import type { Store } from '../store/store.js';
import { csvLine, type CsvValue } from '../analytics/csv.js';
import { billedFocusRows } from './focus-billed.js';
import { focusProviderNames } from './focus-provider-names.js';

export type FocusGrain = 'hour' | 'day';

/** FOCUS columns (mandatory, then the conditional and recommended ones that apply), then Costrail's x_ columns. */
export const FOCUS_COLUMNS = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'ServiceSubcategory',
  'SkuId',
  'SkuMeter',
  'SkuPriceId',
  'Tags',
  'x_provider',
  'x_model',
  'x_usage_kind',
  'x_team',
  'x_project',
  'x_feature',
  'x_customer',
  'x_env',
  'x_agent',
  'x_prompt_version',
  'x_priority',
  'x_key_id',
  'x_price_version',
  'x_priced',
  'x_requests',
  'x_source',
  'x_metered_cost',
] as const;
export type FocusColumn = (typeof FOCUS_COLUMNS)[number];
export type FocusRow = Record<FocusColumn, CsvValue>;

/** Columns holding exact decimals (typed DECIMAL in Parquet). */
export const FOCUS_DECIMAL_COLUMNS: readonly FocusColumn[] = ['BilledCost', 'ConsumedQuantity', 'ContractedCost', 'EffectiveCost', 'ListCost', 'PricingQuantity', 'x_metered_cost'];
export const FOCUS_DATETIME_COLUMNS: readonly FocusColumn[] = ['BillingPeriodEnd', 'BillingPeriodStart', 'ChargePeriodEnd', 'ChargePeriodStart'];

type Kind = 'input' | 'cache_read' | 'cache_write' | 'output' | 'reasoning' | 'audio' | 'image' | 'tools' | 'other';
const KINDS: { kind: Kind; meter: string; unit: string | null; quantity: (u: Usage) => number }[] = [
  { kind: 'input', meter: 'Input Tokens', unit: 'Tokens', quantity: (u) => u.input_tokens },
  { kind: 'cache_read', meter: 'Cached Input Tokens', unit: 'Tokens', quantity: (u) => u.cache_read_tokens },
  { kind: 'cache_write', meter: 'Cache Write Tokens', unit: 'Tokens', quantity: (u) => u.cache_write_tokens + u.cache_write_1h_tokens },
  { kind: 'output', meter: 'Output Tokens', unit: 'Tokens', quantity: (u) => u.output_tokens },
  { kind: 'reasoning', meter: 'Reasoning Tokens', unit: 'Tokens', quantity: (u) => u.reasoning_tokens },
  { kind: 'audio', meter: 'Audio Tokens', unit: 'Tokens', quantity: (u) => u.audio_input_tokens + u.audio_cache_read_tokens + u.audio_output_tokens },
  { kind: 'image', meter: 'Image Input Tokens', unit: 'Tokens', quantity: (u) => u.image_input_tokens },
  { kind: 'tools', meter: 'Web Search Calls', unit: 'Requests', quantity: (u) => u.web_search_calls },
  { kind: 'other', meter: 'Other Charges', unit: null, quantity: () => 0 },
];
const PARTS = ['input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools'] as const;


/** FOCUS date/time: UTC, `YYYY-MM-DDTHH:mm:ssZ`. */
function focusTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function bucketStart(ms: number, grain: FocusGrain): number {
  const size = grain === 'hour' ? 3_600_000 : 86_400_000;
  return Math.floor(ms / size) * size;
}

interface Cell {
  row: Omit<FocusRow, 'BilledCost' | 'ContractedCost' | 'EffectiveCost' | 'ListCost' | 'ConsumedQuantity' | 'PricingQuantity' | 'x_requests' | 'x_source' | 'x_metered_cost'>;
  cost: Decimal;
  quantity: number;
  requests: number;
  hasQuantity: boolean;
  /** The provider's bill covers this row's provider and UTC day: the billed rows carry the money. */
  billed: boolean;
}

/** `provider|YYYY-MM-DD` (UTC): the unit in which a provider's bill replaces the metered ledger. */
export const providerDay = (provider: string, ms: number): string => `${provider}|${new Date(ms).toISOString().slice(0, 10)}`;

/** Aggregates ledger records into FOCUS rows, in memory (one cell per row of output). */
export class FocusAggregator {
  private readonly cells = new Map<string, Cell>();

  /**
   * @param billedDays provider-days (`providerDay`) a billed import covers: metered rows there keep
   *   their figure in `x_metered_cost` only, so no cost column counts a dollar twice.
   */
  constructor(
    private readonly grain: FocusGrain,
    private readonly billedDays: ReadonlySet<string> = new Set(),
  ) {}

  add(r: LedgerRecord): void {
    const started = Date.parse(r.started_at);
    const cost = r.cost;
    if (!r.usage && !cost) return; // nothing consumed, nothing charged (refused or failed calls)
    const parts: Record<Kind, Decimal> = Object.fromEntries(KINDS.map((k) => [k.kind, Decimal.ZERO])) as Record<Kind, Decimal>;
    if (cost) {
      for (const p of PARTS) parts[p] = Decimal.parse(cost[p]);
      // Whatever the parts do not explain is its own line, so the rows sum to the record's total.
      parts.other = Decimal.parse(cost.total).sub(Decimal.sum(PARTS.map((p) => parts[p])));
    }
    const start = bucketStart(started, this.grain);
    const end = start + (this.grain === 'hour' ? 3_600_000 : 86_400_000);
    const d = new Date(start);
    const billStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    const billEnd = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const model = r.model ?? r.model_requested ?? 'unknown';
    const a = r.attribution;
    const tags: Record<string, string> = {};
    for (const k of Object.keys(r.tags ?? {}).sort()) tags[k] = r.tags[k] as string;
    for (const [k, v] of Object.entries(a)) if (v !== null) tags[`costrail/${k}`] = v;
    const tagsJson = Object.keys(tags).length ? JSON.stringify(tags) : null;
    const [issuer, service] = focusProviderNames(r.provider);
    for (const k of KINDS) {
      const quantity = r.usage ? k.quantity(r.usage) : 0;
      const c = parts[k.kind];
      if (quantity === 0 && c.isZero()) continue;
      const key = [start, r.provider, model, r.price_version, r.priced, k.kind, r.key_id, a.team, a.project, a.feature, a.customer, a.env, a.agent, a.prompt_version, a.priority, tagsJson].join('\u0000');
      let cell = this.cells.get(key);
      if (!cell) {
        const sku = `${r.provider}/${model}/${k.kind}`;
        cell = {
          cost: Decimal.ZERO,
          quantity: 0,
          requests: 0,
          hasQuantity: k.unit !== null,
          billed: this.billedDays.has(providerDay(r.provider, start)),
          row: {
            BillingAccountId: `costrail:${r.provider}`,
            BillingAccountName: null,
            BillingCurrency: 'USD',
            BillingPeriodEnd: focusTime(billEnd),
            BillingPeriodStart: focusTime(billStart),
            ChargeCategory: 'Usage',
            ChargeClass: null,
            ChargeDescription: `${model} ${k.meter.toLowerCase()}`,
            ChargeFrequency: 'Usage-Based',
            ChargePeriodEnd: focusTime(end),
            ChargePeriodStart: focusTime(start),
            ConsumedUnit: k.unit,
            InvoiceIssuerName: issuer,
            PricingCategory: 'Standard',
            PricingUnit: k.unit,
            ProviderName: issuer,
            PublisherName: issuer,
            ServiceCategory: 'AI and Machine Learning',
            ServiceName: service,
            ServiceSubcategory: 'Generative AI',
            SkuId: sku,
            SkuMeter: k.meter,
            SkuPriceId: r.priced && r.price_version ? `${sku}@${r.price_version}` : null,
            Tags: tagsJson,
            x_provider: r.provider,
            x_model: model,
            x_usage_kind: k.kind,
            x_team: a.team,
            x_project: a.project,
            x_feature: a.feature,
            x_customer: a.customer,
            x_env: a.env,
            x_agent: a.agent,
            x_prompt_version: a.prompt_version,
            x_priority: a.priority,
            x_key_id: r.key_id,
            x_price_version: r.price_version,
            x_priced: r.priced,
          },
        };
        this.cells.set(key, cell);
      }
      cell.cost = cell.cost.add(c);
      cell.quantity += quantity;
      cell.requests++;
    }
  }

  /** Rows ordered by charge period, then provider, model, kind and attribution (stable output). */
  rows(): FocusRow[] {
    return [...this.cells.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, c]) => {
        const metered = c.cost.toString();
        const cost = c.billed ? '0' : metered;
        const qty = c.hasQuantity ? String(c.quantity) : null;
        return { ...c.row, BilledCost: cost, ContractedCost: cost, EffectiveCost: cost, ListCost: cost, ConsumedQuantity: qty, PricingQuantity: qty, x_requests: c.requests, x_source: 'metered', x_metered_cost: metered };
      });
  }
}

export interface FocusExportOptions {
  from: string;
  to: string;
  grain?: FocusGrain;
  /** Include imported billed line items (default true). */
  billed?: boolean;
}

/**
 * The ledger's FOCUS rows, then the billed lines' (`x_source` tells them apart). Where a provider's
 * imported bill covers a UTC day, the bill is what was charged: its rows carry the cost columns and
 * that day's metered rows keep their figure in `x_metered_cost` with zero cost columns (the same rule
 * as reconciliation and `report ai-spend`), so summing any cost column never counts a dollar twice.
 */
export async function buildFocusRows(store: Store, opts: FocusExportOptions): Promise<FocusRow[]> {
  const billed = opts.billed === false ? [] : await store.billed.totals({ from: opts.from, to: opts.to });
  const agg = new FocusAggregator(opts.grain ?? 'day', new Set(billed.map((b) => providerDay(b.provider, Date.parse(b.charge_start)))));
  for await (const batch of store.scanRecords({ from: opts.from, to: opts.to, batchSize: 10_000 })) for (const r of batch) agg.add(r);
  return [...agg.rows(), ...billedFocusRows(billed, opts.grain ?? 'day')];
}

export function focusCsv(rows: readonly FocusRow[]): string {
  let out = csvLine(FOCUS_COLUMNS);
  for (const r of rows) out += csvLine(FOCUS_COLUMNS.map((c) => r[c]));
  return out;
}
