/**
 * The ledger record's fields, defined once: column name, where the value sits in the public JSON
 * form (PRODUCT.md "The ledger record"), its kind (which fixes the TypeScript type, the column type
 * on each backend and how it is validated on import), nullability and allowed values.
 *
 * Derived from this list: both stores' column lists and their one row↔record mapper
 * (src/store/ledger-row.ts), the `import ledger` validation (ledger-import.ts) and the checks
 * below that hold `LedgerRecord` (ledger-record.ts) to it at compile time. The migrations are
 * history and stay as written; test/store/ledger-schema.test.ts checks that their final columns
 * equal this list on both engines.
 *
 * Imports nothing with Node dependencies: the dashboard type-checks against ledger-record.ts, which
 * imports this file.
 */
import { USAGE_KINDS } from '../providers/spec.js';
import type { LedgerRecord } from './ledger-record.js';

/** How a value is represented: one TypeScript type, one column type per backend. */
export const FIELD_KINDS = {
  text: { duckdb: 'VARCHAR', postgres: 'text' },
  /** ISO-8601 UTC instant with milliseconds in JSON; microseconds in the columns. */
  instant: { duckdb: 'TIMESTAMP', postgres: 'timestamp with time zone' },
  float: { duckdb: 'DOUBLE', postgres: 'double precision' },
  int: { duckdb: 'INTEGER', postgres: 'integer' },
  /** Token and call counts: non-negative integers, 64-bit columns. */
  count: { duckdb: 'BIGINT', postgres: 'bigint' },
  bool: { duckdb: 'BOOLEAN', postgres: 'boolean' },
  /** Exact decimal string in USD; never a float on either side. */
  money: { duckdb: 'DECIMAL(38,18)', postgres: 'numeric(38,18)' },
  /** Open-ended JSON, stored as text: NULL means the key is absent, the text 'null' a present null. */
  json: { duckdb: 'VARCHAR', postgres: 'text' },
  /** The `tags` object (string → string). */
  tags: { duckdb: 'VARCHAR', postgres: 'jsonb' },
} as const;
export type FieldKind = keyof typeof FIELD_KINDS;

/** The TypeScript type each kind holds in the record's JSON form. */
export interface KindValue {
  text: string;
  instant: string;
  float: number;
  int: number;
  count: number;
  bool: boolean;
  money: string;
  json: unknown;
  tags: Record<string, string>;
}

/** Nested objects of the record whose leaves are columns of their own. */
export type LedgerGroup = 'usage' | 'cost' | 'attribution';

export interface LedgerColumn {
  /** Column name on both engines. */
  readonly name: string;
  /** Where the value sits in the record: a top-level key, or a group and its key. */
  readonly path: readonly [string] | readonly [LedgerGroup, string];
  readonly kind: FieldKind;
  /** The column may hold NULL (a leaf of a nullable group is NULL when the group is). */
  readonly nullable: boolean;
  /** The only values allowed, when the field is an enumeration. */
  readonly values?: readonly string[];
  /** NULL in the column means the key is absent from the record (else it reads back as null). */
  readonly absentWhenNull?: boolean;
  /** How `import ledger` treats it: must be present, may be present, or always set by Costrail. */
  readonly imported: 'required' | 'optional' | 'derived';
  /** PostgreSQL collation (ids sort byte for byte as in DuckDB). */
  readonly pgCollation?: 'C';
}

/**
 * How a group's presence is stored: `usage` is null iff `input_tokens` is NULL, `cost` iff
 * `cost_total` is; inside a present group a NULL leaf reads as the group's zero. Only
 * attribution's leaves may be null in the record.
 */
export const LEDGER_GROUPS = {
  usage: { nullable: true, presence: 'input_tokens', zero: 0, leavesNullable: false },
  cost: { nullable: true, presence: 'cost_total', zero: '0', leavesNullable: false },
  attribution: { nullable: false, presence: null, zero: null, leavesNullable: true },
} as const;

/** `simulator`: traffic `costrail demo` made up, kept apart so it is never mistaken for real spend. */
export const LEDGER_SOURCES = ['gateway', 'sdk', 'otel', 'import', 'simulator'] as const;
export const LEDGER_STATUSES = ['ok', 'error', 'blocked', 'cached', 'aborted'] as const;
export const USAGE_SOURCES = ['provider', 'estimated'] as const;
export const PRIORITIES = ['critical', 'normal', 'background'] as const;
export const COST_SOURCES = ['price_book', 'provider'] as const;

/** The cost parts a price book fills (besides `total`, `other`, `currency`, `source`). */
export const COST_PARTS = ['input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools'] as const;
export const ATTRIBUTION_KEYS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority'] as const;

type Rec = Required<LedgerRecord>;
type GroupOf<G extends LedgerGroup> = NonNullable<Rec[G]>;
type TopField = Exclude<keyof LedgerRecord, LedgerGroup> & string;
/** The kind, only if the record field's type is that kind's TypeScript type (enumerations narrow `text`). */
type Fits<T, K extends FieldKind> = [NonNullable<T>] extends [KindValue[K]] ? K : never;
/** A field that can be null or absent in the record has a nullable column; any other is NOT NULL. */
type Nullability<T> = null extends T ? { nullable?: true } : undefined extends T ? { nullable?: true } : { nullable: false };
type Opts = Partial<Pick<LedgerColumn, 'values' | 'absentWhenNull' | 'pgCollation' | 'imported'>>;

function top<N extends TopField, K extends FieldKind>(name: N, kind: K & Fits<LedgerRecord[N], K>, o: Opts & Nullability<LedgerRecord[N]>): LedgerColumn & { path: readonly [N] } {
  return { name, path: [name] as readonly [N], kind, nullable: (o as { nullable?: boolean }).nullable ?? true, imported: o.imported ?? 'optional', ...pick(o) };
}
function leaf<G extends LedgerGroup, F extends keyof GroupOf<G> & string, K extends FieldKind>(group: G, key: F, name: string, kind: K & Fits<GroupOf<G>[F], K>, o: Opts = {}): LedgerColumn & { path: readonly [G, F] } {
  return { name, path: [group, key] as readonly [G, F], kind, nullable: true, imported: o.imported ?? 'optional', ...pick(o) };
}
function pick(o: Opts): Partial<Pick<LedgerColumn, 'values' | 'absentWhenNull' | 'pgCollation'>> {
  const out: { values?: readonly string[]; absentWhenNull?: boolean; pgCollation?: 'C' } = {};
  if (o.values) out.values = o.values;
  if (o.absentWhenNull) out.absentWhenNull = true;
  if (o.pgCollation) out.pgCollation = o.pgCollation;
  return out;
}

const COLUMN_LIST = [
  top('id', 'text', { nullable: false, imported: 'required', pgCollation: 'C' }),
  top('source', 'text', { nullable: false, values: LEDGER_SOURCES }),
  top('started_at', 'instant', { nullable: false, imported: 'required' }),
  top('ended_at', 'instant', {}),
  top('duration_ms', 'float', {}),
  top('ttft_ms', 'float', {}),
  top('provider', 'text', { nullable: false, imported: 'required' }),
  top('api', 'text', {}),
  top('model_requested', 'text', {}),
  // Nullable in the record (a refusal may come before any model is known); required on import.
  top('model', 'text', { imported: 'required' }),
  top('status', 'text', { nullable: false, values: LEDGER_STATUSES }),
  top('http_status', 'int', {}),
  top('stream', 'bool', { nullable: false }),
  ...USAGE_KINDS.map((k) => leaf('usage', k, k, 'count')),
  top('usage_source', 'text', { values: USAGE_SOURCES }),
  leaf('cost', 'total', 'cost_total', 'money', { imported: 'required' }),
  ...COST_PARTS.map((p) => leaf('cost', p, `cost_${p}`, 'money')),
  leaf('cost', 'other', 'cost_other', 'money', { absentWhenNull: true }),
  leaf('cost', 'currency', 'cost_currency', 'text', { values: ['USD'] }),
  leaf('cost', 'source', 'cost_source', 'text', { values: COST_SOURCES, absentWhenNull: true }),
  top('priced', 'bool', { nullable: false }),
  top('price_version', 'text', {}),
  ...ATTRIBUTION_KEYS.map((k) => leaf('attribution', k, k, 'text', k === 'priority' ? { values: PRIORITIES } : {})),
  top('tags', 'tags', { nullable: false }),
  top('key_id', 'text', {}),
  top('trace_id', 'text', {}),
  top('span_id', 'text', {}),
  top('error', 'json', { absentWhenNull: true }),
  top('raw_usage', 'json', { absentWhenNull: true }),
  // Import always stamps the current usage version: the file's own counts are converted to it.
  top('usage_version', 'int', { absentWhenNull: true, imported: 'derived' }),
  top('unpriced_reason', 'text', {}),
  // Added by migration 009 (embedded) / 007 (PostgreSQL): columns are appended, so they stay last.
  top('request_hash', 'text', { absentWhenNull: true }),
  top('prompt_prefix_hash', 'text', { absentWhenNull: true }),
  top('prompt_prefix_tokens', 'count', { absentWhenNull: true }),
  top('message_count', 'count', { absentWhenNull: true }),
  top('tool_count', 'count', { absentWhenNull: true }),
  top('max_output_tokens', 'count', { absentWhenNull: true }),
  top('finish_reason', 'text', { absentWhenNull: true }),
  top('saved', 'money', { absentWhenNull: true }),
  top('attempt_of', 'text', { absentWhenNull: true, pgCollation: 'C' }),
  // Added by migration 011 (embedded) / 009 (PostgreSQL).
  top('response_id', 'text', { absentWhenNull: true, pgCollation: 'C' }),
] as const;

/** Every ledger column, in table order. */
export const LEDGER_COLUMNS: readonly LedgerColumn[] = COLUMN_LIST;

export const columnNamed = (name: string): LedgerColumn => {
  const c = LEDGER_COLUMNS.find((x) => x.name === name);
  if (!c) throw new Error(`no ledger column "${name}"`);
  return c;
};

/** The columns a re-pricing replaces: everything a price book decides about a record. */
export const COST_COLUMNS: readonly LedgerColumn[] = LEDGER_COLUMNS.filter((c) => c.path[0] === 'cost' || ['priced', 'price_version', 'unpriced_reason'].includes(c.name));

// ---- compile-time checks: LedgerRecord and this definition describe the same fields ----
// (each column's kind and nullability are checked against the record type where it is declared)

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Every leaf of the record as "key" or "group.key". */
type RecordLeaf = TopField | { [G in LedgerGroup]: `${G}.${keyof GroupOf<G> & string}` }[LedgerGroup];
type PathKey<P> = P extends readonly [infer N extends string] ? N : P extends readonly [infer G extends string, infer K extends string] ? `${G}.${K}` : never;
/** Fails to compile when a record field has no column, or a column no record field. */
export const LEAVES_MATCH: Same<RecordLeaf, PathKey<(typeof COLUMN_LIST)[number]['path']>> = true;
/** Enumerations in the record type are exactly the allowed values listed here. */
export const ENUMS_MATCH: [
  Same<Rec['source'], (typeof LEDGER_SOURCES)[number]>,
  Same<Rec['status'], (typeof LEDGER_STATUSES)[number]>,
  Same<NonNullable<Rec['usage_source']>, (typeof USAGE_SOURCES)[number]>,
  Same<NonNullable<Rec['attribution']['priority']>, (typeof PRIORITIES)[number]>,
  Same<NonNullable<GroupOf<'cost'>['source']>, (typeof COST_SOURCES)[number]>,
] = [true, true, true, true, true];
