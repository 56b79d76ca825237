/**
 * Ledger records from another logger (`costrail import ledger`, `POST /api/import/ledger`):
 * one JSON object per line in the public ledger-record shape (PRODUCT.md). Required: `id`,
 * `started_at`, `provider`, `model`, and `usage` or `cost` (a failed or refused call, status
 * `error`/`blocked`/`aborted`, may have neither); every other field is optional.
 *
 * Money rules: a `cost` the file carries is kept as reported (a total-only cost becomes
 * `other` = total, `source: "provider"`, so re-pricing leaves it alone); a record without a cost is
 * priced by the price book like a gateway call; an unknown model is `priced: false` with a null
 * cost, never $0. The line schema is derived from the ledger definition (ledger-schema.ts).
 */
import { z } from 'zod';
import { priceUsage } from '../pricing/cost.js';
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import { callCostProblem } from '../providers/usage-bounds.js';
import { emptyUsage, USAGE_VERSION, type Usage } from '../providers/spec.js';
import { emptyAttribution, type Attribution, type LedgerCost, type LedgerRecord } from './ledger-record.js';
import { COST_PARTS, LEDGER_COLUMNS, LEDGER_GROUPS, type FieldKind, type LedgerColumn, type LedgerGroup } from './ledger-schema.js';

const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = Decimal.tryParse(v);
  const problem = callCostProblem(d);
  if (!d || problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: `amount ${JSON.stringify(v)} ${problem ?? 'is not a decimal amount'}` });
    return z.NEVER;
  }
  return d.toString();
});
/** The largest token count a record may carry: beyond it a figure is a unit or parsing mistake, not usage. */
export const MAX_TOKEN_COUNT = 1e12;
const count = z
  .number()
  .int('a token count must be a whole number')
  .nonnegative('a token count cannot be negative')
  .max(MAX_TOKEN_COUNT, 'more than 10^12 tokens: not a plausible count');
const text = z.string().min(1).max(512);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/** The import form of each kind (ledger-schema.ts); enumerations take their listed values. */
const KIND_SCHEMA: Record<FieldKind, z.ZodType> = {
  text,
  instant,
  float: z.number().nonnegative(),
  int: z.number().int(),
  count,
  bool: z.boolean(),
  money,
  json: z.unknown(),
  tags: z.record(z.string().min(1).max(128), z.string().max(512)),
};
/** Where a file is held to more than the field's kind. */
const NARROWER: Record<string, z.ZodType> = {
  http_status: z.number().int().min(100).max(599),
  cost_currency: z.literal('USD', 'only USD costs are supported'),
  error: z.object({ type: z.string(), message: z.string(), scope: z.record(z.string(), z.string()).optional() }),
  unpriced_reason: z.string(),
};

function fieldSchema(c: LedgerColumn, nullable: boolean): z.ZodType {
  const base = NARROWER[c.name] ?? (c.values ? z.enum(c.values as [string, ...string[]]) : KIND_SCHEMA[c.kind]);
  if (c.imported === 'required') return base;
  return nullable ? base.nullable().optional() : base.optional();
}

/** The line schema, in column order: top-level fields, and each group as a strict object where its first column sits. */
function importShape(): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  const groups = new Map<LedgerGroup, Record<string, z.ZodType>>();
  for (const c of LEDGER_COLUMNS) {
    if (c.imported === 'derived') continue;
    const [key, leaf] = c.path;
    if (leaf === undefined) {
      shape[key] = fieldSchema(c, c.nullable);
      continue;
    }
    const g = key as LedgerGroup;
    if (!groups.has(g)) {
      groups.set(g, {});
      shape[g] = z.never(); // placeholder keeping the group's position
    }
    groups.get(g)![leaf] = fieldSchema(c, LEDGER_GROUPS[g].leavesNullable);
  }
  for (const [g, leaves] of groups) {
    const obj = z.object(leaves).strict();
    shape[g] = LEDGER_GROUPS[g].nullable ? obj.nullable().optional() : obj.optional();
  }
  return shape;
}

/** A line as read: the public record with only `id`, `started_at`, `provider`, `model` required. */
export type ImportRecord = Partial<Omit<LedgerRecord, 'id' | 'started_at' | 'provider' | 'model' | 'usage' | 'cost' | 'attribution' | 'usage_version'>> &
  Pick<LedgerRecord, 'id' | 'started_at' | 'provider'> & {
    model: string;
    usage?: Partial<Usage> | null;
    cost?: (Pick<LedgerCost, 'total'> & Partial<Omit<LedgerCost, 'total'>>) | null;
    attribution?: Partial<Attribution>;
  };

export const ImportRecordSchema = z
  .object(importShape())
  // Other loggers add fields of their own; they are not part of the ledger and are dropped.
  .strip()
  // A call that failed or was refused may have consumed nothing: it still belongs in the ledger.
  .refine((r) => r.usage != null || r.cost != null || r.status === 'error' || r.status === 'blocked' || r.status === 'aborted', {
    message: 'needs "usage" or "cost" (neither is present; only a status of error, blocked or aborted may have neither)',
    path: ['usage'],
  })
  // `other` is the total minus the parts: parts above the total would make it negative.
  .refine((r) => partsWithinTotal(r.cost as ImportRecord['cost']), { message: 'the cost parts add up to more than the total', path: ['cost'] }) as unknown as z.ZodType<ImportRecord>;

function partsWithinTotal(c: ImportRecord['cost']): boolean {
  if (!c || c.other !== undefined) return true;
  return Decimal.sum(COST_PARTS.map((p) => Decimal.parse(c[p] ?? '0'))).cmp(Decimal.parse(c.total)) <= 0;
}



export type LineCheck = { ok: true; record: ImportRecord } | { ok: false; error: string };

/** Parses and validates one line. Blank lines are the caller's to skip. */
export function checkImportLine(line: string): LineCheck {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not valid JSON (${(e as Error).message})` };
  }
  const parsed = ImportRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length ? issue.path.join('.') : 'record';
  return { ok: false, error: `${where}: ${issue?.message ?? 'invalid'}` };
}

function importedCost(c: NonNullable<ImportRecord['cost']>): NonNullable<LedgerRecord['cost']> {
  const total = Decimal.parse(c.total);
  const parts = Object.fromEntries(COST_PARTS.map((p) => [p, c[p] ?? '0'])) as Record<(typeof COST_PARTS)[number], string>;
  const explained = Decimal.sum(COST_PARTS.map((p) => Decimal.parse(parts[p])));
  // Whatever the parts do not explain (all of it, for a total-only cost) stays visible as `other`.
  const other = c.other ?? total.sub(explained).toString();
  return { total: total.toString(), ...parts, other, currency: 'USD', source: c.source ?? 'provider' };
}

/** The stored record: defaults filled, a missing cost priced by the book. */
export function toLedgerRecord(r: ImportRecord, book: PriceBook): LedgerRecord {
  const usage: Usage | null = r.usage ? { ...emptyUsage(), ...r.usage } : null;
  let cost: LedgerRecord['cost'] = null;
  let priced = false;
  let priceVersion = r.price_version ?? null;
  let unpriced: string | null = null;
  if (r.cost) {
    cost = importedCost(r.cost);
    priced = true;
  } else if (usage) {
    const p = priceUsage(book, { provider: r.provider, model: r.model, usage, at: new Date(r.started_at) });
    cost = p.cost;
    priced = p.priced;
    priceVersion = p.price_version;
    unpriced = p.reason ?? null;
  }
  return {
    id: r.id,
    source: r.source ?? 'import',
    started_at: r.started_at,
    ended_at: r.ended_at ?? null,
    duration_ms: r.duration_ms ?? null,
    ttft_ms: r.ttft_ms ?? null,
    provider: r.provider,
    api: r.api ?? null,
    model_requested: r.model_requested ?? null,
    model: r.model,
    status: r.status ?? 'ok',
    http_status: r.http_status ?? null,
    stream: r.stream ?? false,
    usage,
    usage_source: usage ? (r.usage_source ?? 'provider') : null,
    cost,
    priced,
    price_version: priceVersion,
    attribution: { ...emptyAttribution(), ...r.attribution },
    tags: r.tags ?? {},
    key_id: r.key_id ?? null,
    trace_id: r.trace_id ?? null,
    span_id: r.span_id ?? null,
    error: r.error ?? null,
    ...(r.raw_usage === undefined ? {} : { raw_usage: r.raw_usage }),
    usage_version: USAGE_VERSION,
    unpriced_reason: unpriced ?? r.unpriced_reason ?? null,
    // The call key: an imported (or SDK) record of a call the ledger already has is folded into it.
    ...(r.response_id ? { response_id: r.response_id } : {}),
  };
}

export interface InvalidLine {
  line: number;
  error: string;
}

export interface ImportSummary {
  /** Non-blank lines read. */
  read: number;
  inserted: number;
  /** Valid records whose id was already in the store (the import is idempotent by id). */
  duplicates: number;
  invalid: InvalidLine[];
}

/** Checks a block of lines (numbered from `firstLine`); blank lines are ignored. */
export function checkLines(lines: readonly string[], firstLine = 1): { read: number; valid: ImportRecord[]; invalid: InvalidLine[] } {
  const valid: ImportRecord[] = [];
  const invalid: InvalidLine[] = [];
  let read = 0;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    read++;
    const c = checkImportLine(line);
    if (c.ok) valid.push(c.record);
    else invalid.push({ line: firstLine + i, error: c.error });
  });
  return { read, valid, invalid };
}
