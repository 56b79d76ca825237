/**
 * Billed line items as FOCUS rows: what a provider's own export charged, summed per charge period
 * (hour or day, UTC), provider, account, model and charge kind. These rows carry the invoice's money;
 * src/reports/focus-export.ts zeroes the metered rows of the provider-days they cover.
 */
import { Decimal } from '../pricing/decimal.js';
import type { BilledTotalRow, ChargeKind } from '../store/billed-line.js';
import { FOCUS_COLUMNS, type FocusGrain, type FocusRow } from './focus-export.js';
import { focusProviderNames } from './focus-provider-names.js';

/**
 * FOCUS ChargeCategory per charge kind. FOCUS has no discount or fee category: a negotiated
 * discount or a fee on its own line is an Adjustment (the billing importer reads an Adjustment back
 * as a discount when negative, a fee otherwise); a refund is a Credit.
 */
const CATEGORY: Record<ChargeKind, { category: string; frequency: string }> = {
  usage: { category: 'Usage', frequency: 'Usage-Based' },
  tax: { category: 'Tax', frequency: 'Usage-Based' },
  credit: { category: 'Credit', frequency: 'One-Time' },
  refund: { category: 'Credit', frequency: 'One-Time' },
  discount: { category: 'Adjustment', frequency: 'One-Time' },
  fee: { category: 'Adjustment', frequency: 'One-Time' },
  commitment_purchase: { category: 'Purchase', frequency: 'One-Time' },
};

const HOUR = 3_600_000;
const DAY = 86_400_000;
const focusTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Cell {
  start: number;
  t: BilledTotalRow;
  amount: Decimal;
  unconverted: number;
}

export function billedFocusRows(totals: readonly BilledTotalRow[], grain: FocusGrain): FocusRow[] {
  const size = grain === 'hour' ? HOUR : DAY;
  const cells = new Map<string, Cell>();
  for (const t of totals) {
    const start = Math.floor(Date.parse(t.charge_start) / size) * size;
    // has_team splits totals for coverage; the export has no team for a billed line, so it merges them.
    const key = [start, t.provider, t.account ?? '', t.model ?? '', t.charge_kind].join('\u0000');
    const cell = cells.get(key) ?? { start, t, amount: Decimal.ZERO, unconverted: 0 };
    cell.amount = cell.amount.add(Decimal.parse(t.amount_usd));
    cell.unconverted += t.unconverted_lines;
    cells.set(key, cell);
  }
  return [...cells.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, c]) => toRow(c, size));
}

function toRow(c: Cell, size: number): FocusRow {
  const { t } = c;
  const [issuer, service] = focusProviderNames(t.provider);
  const d = new Date(c.start);
  const kind = CATEGORY[t.charge_kind];
  const cost = c.amount.toString();
  const what = t.model ? `${t.model} ${t.charge_kind}` : `${service} ${t.charge_kind}`;
  const skipped = c.unconverted > 0 ? ` (${c.unconverted} line(s) in another currency without a USD rate not included)` : '';
  const row: FocusRow = Object.fromEntries(FOCUS_COLUMNS.map((col) => [col, null])) as FocusRow;
  return {
    ...row,
    BilledCost: cost,
    BillingAccountId: t.account ?? `costrail:${t.provider}`,
    BillingCurrency: 'USD',
    BillingPeriodEnd: focusTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)),
    BillingPeriodStart: focusTime(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)),
    ChargeCategory: kind.category,
    ChargeDescription: `billed: ${what}${skipped}`,
    ChargeFrequency: kind.frequency,
    ChargePeriodEnd: focusTime(c.start + size),
    ChargePeriodStart: focusTime(c.start),
    ContractedCost: cost,
    EffectiveCost: cost,
    InvoiceIssuerName: issuer,
    ListCost: cost,
    ProviderName: issuer,
    PublisherName: issuer,
    ServiceCategory: 'AI and Machine Learning',
    ServiceName: service,
    ServiceSubcategory: 'Generative AI',
    x_provider: t.provider,
    x_model: t.model,
    x_usage_kind: t.charge_kind,
    x_priced: true,
    x_requests: 0,
    x_source: 'billed',
    x_metered_cost: null,
  };
}
