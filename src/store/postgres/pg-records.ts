/**
 * LedgerRecord ⇄ PostgreSQL ledger columns. Same mapping rules as the embedded store (see
 * duckdb-store.ts): money as exact decimal text into NUMERIC(38,18), instants with microseconds,
 * `usage` null ⇔ usage columns NULL, `cost` null ⇔ cost_total NULL, absent optional keys as NULL.
 *
 * Batches travel as one array parameter per column and are expanded with unnest(): one statement
 * and one round trip per batch, no per-row placeholders.
 */
import { ATTRIBUTION_FIELDS, type Attribution, type LedgerRecord } from '../../ledger/ledger-record.js';
import { Decimal } from '../../pricing/decimal.js';
import { USAGE_KINDS, type Usage } from '../../providers/spec.js';
import { microsToIso } from '../event-cursor.js';

export const COST_PARTS = ['total', 'input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools'] as const;

type Value = string | number | boolean | null;
export interface PgColumn {
  name: string;
  /** Element type of the array parameter. */
  type: 'text' | 'timestamptz' | 'float8' | 'int8' | 'int4' | 'numeric' | 'bool' | 'jsonb';
  value: (r: LedgerRecord) => Value;
}

const c = (name: string, type: PgColumn['type'], value: PgColumn['value']): PgColumn => ({ name, type, value });
const text = (name: string, value: (r: LedgerRecord) => string | null): PgColumn => c(name, 'text', value);
const money = (name: string, value: (r: LedgerRecord) => string | undefined | null): PgColumn =>
  c(name, 'numeric', (r) => {
    const v = value(r);
    return v === null || v === undefined ? null : Decimal.parse(v).toString();
  });
const jsonOrAbsent = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));

export const PG_COLUMNS: readonly PgColumn[] = [
  text('id', (r) => r.id),
  text('source', (r) => r.source),
  c('started_at', 'timestamptz', (r) => r.started_at),
  c('ended_at', 'timestamptz', (r) => r.ended_at),
  c('duration_ms', 'float8', (r) => r.duration_ms),
  c('ttft_ms', 'float8', (r) => r.ttft_ms),
  text('provider', (r) => r.provider),
  text('api', (r) => r.api),
  text('model_requested', (r) => r.model_requested),
  text('model', (r) => r.model),
  text('status', (r) => r.status),
  c('http_status', 'int4', (r) => r.http_status),
  c('stream', 'bool', (r) => r.stream),
  ...USAGE_KINDS.map((k) => c(k, 'int8', (r) => (r.usage === null ? null : r.usage[k]))),
  text('usage_source', (r) => r.usage_source),
  ...COST_PARTS.map((p) => money(`cost_${p}`, (r) => r.cost?.[p])),
  money('cost_other', (r) => r.cost?.other),
  text('cost_currency', (r) => r.cost?.currency ?? null),
  text('cost_source', (r) => r.cost?.source ?? null),
  c('priced', 'bool', (r) => r.priced),
  text('price_version', (r) => r.price_version),
  ...ATTRIBUTION_FIELDS.map((f) => text(f, (r) => r.attribution[f] ?? null)),
  c('tags', 'jsonb', (r) => JSON.stringify(r.tags ?? {})),
  text('key_id', (r) => r.key_id),
  text('trace_id', (r) => r.trace_id),
  text('span_id', (r) => r.span_id),
  text('error', (r) => jsonOrAbsent(r.error)),
  text('raw_usage', (r) => jsonOrAbsent(r.raw_usage)),
  c('usage_version', 'int4', (r) => r.usage_version ?? null),
  text('unpriced_reason', (r) => r.unpriced_reason ?? null),
];

export const quote = (name: string): string => `"${name}"`;

/** jsonb travels as text (an array of jsonb would be serialised by pg as JSON arrays of objects). */
const paramType = (col: PgColumn): string => (col.type === 'jsonb' ? 'text' : col.type);

/** `unnest($1::text[], …) AS t(col, …)` over the given columns, parameters starting at $offset+1. */
export function unnestSource(cols: readonly PgColumn[], offset = 0): string {
  const args = cols.map((col, i) => `$${offset + i + 1}::${paramType(col)}[]`).join(', ');
  return `unnest(${args}) AS t(${cols.map((col) => quote(col.name)).join(', ')})`;
}

/** The SELECT list turning unnest's columns into ledger column types. */
export const unnestSelect = (cols: readonly PgColumn[], alias = 't'): string => cols.map((col) => (col.type === 'jsonb' ? `${alias}.${quote(col.name)}::jsonb` : `${alias}.${quote(col.name)}`)).join(', ');

export function columnArrays(cols: readonly PgColumn[], records: readonly LedgerRecord[]): Value[][] {
  const arrays: Value[][] = cols.map(() => new Array<Value>(records.length));
  records.forEach((r, j) => cols.forEach((col, i) => (arrays[i]![j] = col.value(r))));
  return arrays;
}

/** Record columns as the engine returns them, instants as epoch-µs text for microsecond precision. */
export const RECORD_SELECT = PG_COLUMNS.map((col) =>
  col.name === 'started_at' || col.name === 'ended_at' ? `(extract(epoch from ${col.name}) * 1000000)::int8::text AS ${col.name}` : quote(col.name),
).join(', ');

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const ts = (v: unknown): string | null => (v === null || v === undefined ? null : microsToIso(BigInt(String(v))));
const dec = (v: unknown): string | null => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString());
const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);

export function pgRowToRecord(row: Row): LedgerRecord {
  let usage: Usage | null = null;
  if (row.input_tokens !== null) usage = Object.fromEntries(USAGE_KINDS.map((k) => [k, num(row[k]) ?? 0])) as unknown as Usage;
  let cost: LedgerRecord['cost'] = null;
  const total = dec(row.cost_total);
  if (total !== null) {
    const parts = Object.fromEntries(COST_PARTS.map((p) => [p, dec(row[`cost_${p}`]) ?? '0'])) as Record<(typeof COST_PARTS)[number], string>;
    cost = { ...parts, total, currency: 'USD' };
    const other = dec(row.cost_other);
    if (other !== null) cost.other = other;
    const source = str(row.cost_source);
    if (source !== null) cost.source = source as NonNullable<NonNullable<LedgerRecord['cost']>['source']>;
  }
  const attribution = Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f, str(row[f])])) as unknown as Attribution;
  const record: LedgerRecord = {
    id: String(row.id),
    source: String(row.source) as LedgerRecord['source'],
    started_at: ts(row.started_at) ?? '',
    ended_at: ts(row.ended_at),
    duration_ms: num(row.duration_ms),
    ttft_ms: num(row.ttft_ms),
    provider: String(row.provider),
    api: str(row.api),
    model_requested: str(row.model_requested),
    model: str(row.model),
    status: String(row.status) as LedgerRecord['status'],
    http_status: num(row.http_status),
    stream: row.stream === true,
    usage,
    usage_source: str(row.usage_source) as LedgerRecord['usage_source'],
    cost,
    priced: row.priced === true,
    price_version: str(row.price_version),
    attribution,
    tags: (row.tags ?? {}) as Record<string, string>,
    key_id: str(row.key_id),
    trace_id: str(row.trace_id),
    span_id: str(row.span_id),
    unpriced_reason: str(row.unpriced_reason),
  };
  const error = json(row.error);
  if (error !== undefined) record.error = error as LedgerRecord['error'];
  const raw = json(row.raw_usage);
  if (raw !== undefined) record.raw_usage = raw;
  const usageVersion = num(row.usage_version);
  if (usageVersion !== null) record.usage_version = usageVersion;
  return record;
}
