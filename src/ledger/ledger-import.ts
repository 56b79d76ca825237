/**
 * Ledger records from another logger (`costrail import ledger`, `POST /api/import/ledger`):
 * one JSON object per line in the public ledger-record shape (PRODUCT.md). Required: `id`,
 * `started_at`, `provider`, `model`, and `usage` or `cost` (a failed or refused call, status
 * `error`/`blocked`/`aborted`, may have neither); every other field is optional.
 *
 * Money rules: a `cost` the file carries is kept as reported (a total-only cost becomes
 * `other` = total, `source: "provider"`, so re-pricing leaves it alone); a record without a cost is
 * priced by the price book like a gateway call; an unknown model is `priced: false` with a null
 * cost, never $0.
 */
import { z } from 'zod';
import { priceUsage } from '../pricing/cost.js';
import { Decimal } from '../pricing/decimal.js';
import type { PriceBook } from '../pricing/price-book.js';
import { callCostProblem, tokenCountProblem } from '../providers/usage-bounds.js';
import { emptyUsage, USAGE_KINDS, USAGE_VERSION, type Usage } from '../providers/spec.js';
import { emptyAttribution, type LedgerRecord } from './ledger-record.js';

const money = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = Decimal.tryParse(v);
  const problem = callCostProblem(d);
  if (!d || problem !== undefined) {
    ctx.addIssue({ code: 'custom', message: `amount ${JSON.stringify(v)} ${problem ?? 'is not a decimal amount'}` });
    return z.NEVER;
  }
  return d.toString();
});
// The gateway's bounds (usage-bounds.ts): an imported line must not carry what a provider may not.
const count = z.number().superRefine((v, ctx) => {
  const problem = tokenCountProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `token count ${problem}` });
});
const text = z.string().min(1).max(512);
const optText = text.nullable().optional();
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

const UsageSchema = z.object(Object.fromEntries(USAGE_KINDS.map((k) => [k, count.optional()])) as Record<keyof Usage, z.ZodOptional<typeof count>>).strict();

const COST_PARTS = ['input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools'] as const;
const CostSchema = z
  .object({
    total: money,
    ...Object.fromEntries(COST_PARTS.map((p) => [p, money.optional()])),
    other: money.optional(),
    currency: z.literal('USD', 'only USD costs are supported').optional(),
    source: z.enum(['price_book', 'provider']).optional(),
  })
  .strict()
  // `other` is the total minus the parts: parts above the total would make it negative.
  .refine((c) => c.other !== undefined || Decimal.sum(COST_PARTS.map((p) => Decimal.parse((c as Record<string, string | undefined>)[p] ?? '0'))).cmp(Decimal.parse(c.total)) <= 0, {
    message: 'the cost parts add up to more than the total',
  });

const AttributionSchema = z
  .object({
    team: optText,
    project: optText,
    feature: optText,
    customer: optText,
    user: optText,
    env: optText,
    agent: optText,
    prompt_version: optText,
    priority: z.enum(['critical', 'normal', 'background']).nullable().optional(),
  })
  .strict();

export const ImportRecordSchema = z
  .object({
    id: text,
    source: z.enum(['gateway', 'sdk', 'otel', 'import']).optional(),
    started_at: instant,
    ended_at: instant.nullable().optional(),
    duration_ms: z.number().nonnegative().nullable().optional(),
    ttft_ms: z.number().nonnegative().nullable().optional(),
    provider: text,
    api: optText,
    model_requested: optText,
    model: text,
    status: z.enum(['ok', 'error', 'blocked', 'cached', 'aborted']).optional(),
    http_status: z.number().int().min(100).max(599).nullable().optional(),
    stream: z.boolean().optional(),
    usage: UsageSchema.nullable().optional(),
    usage_source: z.enum(['provider', 'estimated']).nullable().optional(),
    cost: CostSchema.nullable().optional(),
    priced: z.boolean().optional(),
    price_version: optText,
    attribution: AttributionSchema.optional(),
    tags: z.record(z.string().min(1).max(128), z.string().max(512)).optional(),
    key_id: optText,
    trace_id: optText,
    span_id: optText,
    error: z.object({ type: z.string(), message: z.string(), scope: z.record(z.string(), z.string()).optional() }).nullable().optional(),
    raw_usage: z.unknown().optional(),
    unpriced_reason: z.string().nullable().optional(),
  })
  // Other loggers add fields of their own; they are not part of the ledger and are dropped.
  .strip()
  // A call that failed or was refused may have consumed nothing: it still belongs in the ledger.
  .refine((r) => r.usage != null || r.cost != null || r.status === 'error' || r.status === 'blocked' || r.status === 'aborted', {
    message: 'needs "usage" or "cost" (neither is present; only a status of error, blocked or aborted may have neither)',
    path: ['usage'],
  });

export type ImportRecord = z.infer<typeof ImportRecordSchema>;

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
  const parts = Object.fromEntries(COST_PARTS.map((p) => [p, (c as Record<string, string | undefined>)[p] ?? '0'])) as Record<(typeof COST_PARTS)[number], string>;
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
