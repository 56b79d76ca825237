/**
 * What `costrail events` and `costrail spend` share: the filter flags (one per common dimension,
 * plus `--filter DIM=VALUE` for any other, `tag:NAME` included) and CSV output.
 */
import type { Command } from 'commander';
import { csvField, type CsvValue } from '../analytics/csv.js';
import { CliError } from './cli-error.js';

const NAMED_FILTERS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'model', 'provider', 'api', 'status', 'key_id', 'trace_id'] as const;

export interface FilterOpts {
  filter?: string[];
  [flag: string]: unknown;
}

const flagOf = (dim: string): string => dim.replace(/_/g, '-');
const camel = (dim: string): string => dim.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export function withFilterOptions(cmd: Command): Command {
  for (const d of NAMED_FILTERS) cmd.option(`--${flagOf(d)} <value>`, `only calls with this ${d} ("" for calls without one)`);
  return cmd.option('--filter <dim=value...>', 'filter by any dimension, e.g. tag:experiment=b or agent=planner (repeatable)');
}

/** Adds the filters given on the command line to `params` as the API expects them. */
export function addFilterParams(params: URLSearchParams, opts: FilterOpts): void {
  for (const d of NAMED_FILTERS) {
    const v = opts[camel(d)];
    if (typeof v === 'string') params.set(d, v);
  }
  for (const f of opts.filter ?? []) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new CliError(`--filter takes DIM=VALUE, not "${f}"`, 2);
    params.set(f.slice(0, eq), f.slice(eq + 1));
  }
}

export function addParam(params: URLSearchParams, name: string, value: string | undefined): void {
  if (value !== undefined) params.set(name, value);
}

/** RFC 4180 CSV (src/analytics/csv.ts): fields with commas, quotes or line breaks are quoted; null is an empty field. */
export function toCsv(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  // Objects (tags, usage) as JSON text; formula-leading text cells are neutralised by csvField.
  const cell = (v: unknown): string => csvField(v !== null && typeof v === 'object' ? JSON.stringify(v) : (v as CsvValue));
  return [columns.map(cell).join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function outputFormat(opts: { json?: boolean; csv?: boolean }): 'json' | 'csv' | 'table' {
  if (opts.json && opts.csv) throw new CliError('choose one of --json and --csv', 2);
  return opts.json ? 'json' : opts.csv ? 'csv' : 'table';
}
