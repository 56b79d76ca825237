/**
 * `costrail import gpu-usage FILE`: self-hosted inference into the inventory's `gpu_usage` lines,
 * from a CSV (GPU hours by instance type at an hourly cost, tokens per model) or from Prometheus text
 * scraped off vLLM / TGI (tokens per model as deltas between scrapes; GPU hours from the scrape
 * interval when the caller names the instance type, GPU count and hourly cost).
 *
 * All-or-nothing: every row is validated first and one bad row refuses the file (its line named).
 * Idempotent: CSV lines are keyed by their content and occurrence number; Prometheus intervals by
 * model, start, end and token counts, so re-importing a scrape log (or a longer one that repeats its
 * scrapes) adds only the intervals not seen before.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readTable, tableColumns } from '../billing/tabular-file.js';
import { Decimal } from '../pricing/decimal.js';
import type { GpuUsageLine } from '../store/spend-source.js';
import type { Store } from '../store/store.js';
import { ratio } from './money-ratio.js';
import { GPU_LIMITS, GpuInputError, gpuColumnsWith, parseQuantity, parseTokens, parseUsageDay, type GpuField } from './gpu-usage-fields.js';
import { looksLikePrometheus, promIntervals } from './gpu-prometheus.js';
import { textCell } from './expense-fields.js';

export const GPU_FORMATS = ['auto', 'csv', 'prometheus'] as const;
export type GpuFormat = (typeof GPU_FORMATS)[number];

export interface GpuImportOptions {
  format?: GpuFormat;
  /** CSV: `COLUMN=FIELD` entries. */
  map?: readonly string[];
  /** Prometheus: the model of series without a `model_name` label (TGI). */
  model?: string;
  /** Prometheus: the instance type the server ran on; with gpus and hourlyUsd, the interval's GPU hours are charged. */
  instanceType?: string;
  gpus?: number;
  hourlyUsd?: string;
  /** Prometheus: team and vendor for every line. */
  team?: string;
  vendor?: string;
  /** Name recorded with each line (default: the file's base name). */
  fileLabel?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface GpuImportResult {
  status: 'imported' | 'refused';
  file: string;
  format: 'csv' | 'prometheus';
  /** CSV rows, or Prometheus scrapes, read. */
  rows: number;
  /** Usage lines built (a Prometheus interval gives one per model). */
  lines: number;
  /** Of those, lines not stored before (a re-import adds 0). */
  inserted: number;
  models: string[];
  gpu_hours: string;
  cost_usd: string;
  input_tokens: number;
  output_tokens: number;
  invalid: { line: number; error: string }[];
  invalid_count: number;
}

const MAX_INVALID_LISTED = 1000;
/** Whole GPU hours are kept to six decimals (3.6 ms) when derived from a scrape interval. */
const HOUR_PLACES = 6;
/** A stated cost may differ from hours × hourly rate by rounding: at most a cent or 0.1 %, whichever is more. */
const COST_TOLERANCE = { cents: Decimal.parse('0.01'), share: Decimal.parse('0.001') };

const hash = (parts: readonly unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

function summary(file: string, format: GpuImportResult['format'], rows: number, lines: readonly GpuUsageLine[]): GpuImportResult {
  return {
    status: 'imported',
    file,
    format,
    rows,
    lines: lines.length,
    inserted: 0,
    models: [...new Set(lines.map((l) => l.model).filter((m): m is string => m !== null))].sort(),
    gpu_hours: Decimal.sum(lines.map((l) => Decimal.parse(l.gpu_hours))).toString(),
    cost_usd: Decimal.sum(lines.map((l) => Decimal.parse(l.cost_usd))).toString(),
    input_tokens: lines.reduce((n, l) => n + l.input_tokens, 0),
    output_tokens: lines.reduce((n, l) => n + l.output_tokens, 0),
    invalid: [],
    invalid_count: 0,
  };
}

export async function importGpuUsageFile(store: Store, file: string, opts: GpuImportOptions = {}): Promise<GpuImportResult> {
  const label = opts.fileLabel ?? path.basename(file);
  let format = opts.format ?? 'auto';
  if (format === 'auto') {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    format = looksLikePrometheus(head.subarray(0, n).toString('utf8')) ? 'prometheus' : 'csv';
  }
  const built = format === 'prometheus' ? promLines(fs.readFileSync(file, 'utf8'), label, opts) : await csvLines(file, label, opts);
  if (built.result.status === 'refused') return built.result;
  built.result.inserted = await store.inventory.insertGpuUsage(built.lines);
  return built.result;
}

interface Built {
  lines: GpuUsageLine[];
  result: GpuImportResult;
}

async function csvLines(file: string, label: string, opts: GpuImportOptions): Promise<Built> {
  const cols = gpuColumnsWith(opts.map ?? []);
  const present = new Set((await tableColumns(file)).map((c) => c.toLowerCase()));
  const has = (f: GpuField): boolean => cols[f].some((c) => present.has(c.toLowerCase()));
  for (const required of ['day', 'instance_type', 'gpu_hours'] as const) {
    if (!has(required)) throw new GpuInputError(`no ${required} column (looked for ${cols[required].map((c) => `"${c}"`).join(', ')}); name it with --map COLUMN=${required}`);
  }
  if (!has('hourly_usd') && !has('cost_usd')) throw new GpuInputError(`no hourly_usd or cost_usd column (looked for ${[...cols.hourly_usd, ...cols.cost_usd].map((c) => `"${c}"`).join(', ')}); name one with --map`);
  const lines: GpuUsageLine[] = [];
  const invalid: { line: number; error: string }[] = [];
  let invalidCount = 0;
  let rows = 0;
  const seen = new Map<string, number>();
  for await (const batch of readTable(file, cols)) {
    batch.rows.forEach((r, i) => {
      const line = batch.lines?.[i] ?? batch.firstLine + i;
      rows++;
      try {
        lines.push(csvLine(r, line, label, seen));
      } catch (e) {
        if (!(e instanceof GpuInputError)) throw e;
        invalidCount++;
        if (invalid.length < MAX_INVALID_LISTED) invalid.push({ line, error: e.message });
      }
    });
    opts.onProgress?.(rows, 0);
  }
  const result = summary(label, 'csv', rows, lines);
  if (invalidCount > 0) return { lines: [], result: { ...result, status: 'refused', invalid, invalid_count: invalidCount } };
  return { lines, result };
}

function csvLine(r: Record<string, string | null>, line: number, label: string, seen: Map<string, number>): GpuUsageLine {
  const cell = (f: GpuField): string | null => textCell(r[f], 200);
  const dayCell = cell('day');
  const instance = cell('instance_type');
  const hoursCell = cell('gpu_hours');
  if (!dayCell) throw new GpuInputError('empty day');
  if (!instance) throw new GpuInputError('empty instance_type');
  if (!hoursCell) throw new GpuInputError('empty gpu_hours');
  const day = parseUsageDay(dayCell);
  const hours = parseQuantity(hoursCell, 'gpu_hours', GPU_LIMITS.hours, HOUR_PLACES);
  const busyCell = cell('busy_hours');
  const busy = busyCell ? parseQuantity(busyCell, 'busy_hours', GPU_LIMITS.hours, HOUR_PLACES) : null;
  if (busy && busy.cmp(hours) > 0) throw new GpuInputError(`busy_hours ${busy.toString()} exceeds gpu_hours ${hours.toString()} (a GPU cannot be busy longer than it was paid for)`);
  const hourlyCell = cell('hourly_usd');
  const costCell = cell('cost_usd');
  if (!hourlyCell && !costCell) throw new GpuInputError('neither hourly_usd nor cost_usd is given');
  let hourly = hourlyCell ? parseQuantity(hourlyCell, 'hourly_usd', GPU_LIMITS.hourlyUsd, 8) : null;
  const stated = costCell ? parseQuantity(costCell, 'cost_usd', GPU_LIMITS.hours.mul(GPU_LIMITS.hourlyUsd), 8) : null;
  let cost: Decimal;
  if (hourly && stated) {
    // The billed cost is what was paid; it must agree with hours × rate up to rounding.
    const computed = hours.mul(hourly);
    const gap = computed.sub(stated);
    const share = computed.mul(COST_TOLERANCE.share);
    if ((gap.isNegative() ? gap.neg() : gap).cmp(share.cmp(COST_TOLERANCE.cents) > 0 ? share : COST_TOLERANCE.cents) > 0) throw new GpuInputError(`cost_usd ${stated.toString()} does not match gpu_hours × hourly_usd = ${computed.toString()}`);
    cost = stated;
  } else if (hourly) {
    cost = hours.mul(hourly);
  } else {
    if (hours.isZero() && !stated!.isZero()) throw new GpuInputError(`cost_usd ${stated!.toString()} for 0 gpu_hours`);
    cost = stated!;
    hourly = hours.isZero() ? Decimal.ZERO : ratio(cost, 10n ** BigInt(hours.scale), hours.coef, 8);
  }
  const model = cell('model');
  const input = parseTokens(r['input_tokens'], 'input_tokens');
  const output = parseTokens(r['output_tokens'], 'output_tokens');
  if (!model && (input > 0n || output > 0n)) throw new GpuInputError('tokens without a model: name the model they were served by');
  const team = cell('team');
  const vendor = cell('vendor');
  const content = ['csv', day, instance, hours.toString(), busy?.toString() ?? null, hourly.toString(), cost.toString(), model, input.toString(), output.toString(), team, vendor];
  const key = JSON.stringify(content);
  const occurrence = (seen.get(key) ?? 0) + 1;
  seen.set(key, occurrence);
  return { usage_hash: hash([...content, occurrence]), file: label, line, day, instance_type: instance, gpu_hours: hours.toString(), busy_hours: busy?.toString() ?? null, hourly_usd: hourly.toString(), cost_usd: cost.toString(), model, input_tokens: Number(input), output_tokens: Number(output), team, vendor };
}

function promLines(text: string, label: string, opts: GpuImportOptions): Built {
  const charged = opts.instanceType !== undefined || opts.hourlyUsd !== undefined;
  if (charged && (!opts.instanceType || opts.hourlyUsd === undefined)) throw new GpuInputError('--instance-type and --hourly-usd go together: both to charge the scrape intervals\' GPU hours, neither for tokens only');
  const gpus = opts.gpus ?? 1;
  if (!Number.isInteger(gpus) || gpus < 1 || gpus > 100_000) throw new GpuInputError(`--gpus must be a whole number from 1 to 100000, not ${gpus}`);
  const hourly = opts.hourlyUsd === undefined ? Decimal.ZERO : parseQuantity(opts.hourlyUsd, '--hourly-usd', GPU_LIMITS.hourlyUsd, 8);
  let scrapes = 0;
  const intervals = promIntervals(text, { model: opts.model }, (done, total) => {
    scrapes = done;
    opts.onProgress?.(done, total);
  });
  const models = new Set(intervals.map((i) => i.model));
  if (charged && models.size > 1) throw new GpuInputError(`the scrapes name ${models.size} models (${[...models].sort().join(', ')}): GPU hours cannot be split between them; import one server's scrapes per file, or leave out --instance-type to import tokens only`);
  const lines: GpuUsageLine[] = [];
  for (const iv of intervals) {
    const startMs = Date.parse(iv.start);
    const endMs = Date.parse(iv.end);
    // The interval belongs to the UTC day that holds most of it (its midpoint).
    const day = new Date(startMs + Math.floor((endMs - startMs) / 2)).toISOString().slice(0, 10);
    const hours = charged ? ratio(Decimal.fromInt(endMs - startMs), BigInt(gpus), 3_600_000n, HOUR_PLACES) : Decimal.ZERO;
    if (hours.cmp(GPU_LIMITS.hours) > 0) throw new GpuInputError(`line ${iv.line}: ${hours.toString()} GPU hours in one interval is beyond ${GPU_LIMITS.hours.toString()}`);
    if (!charged && iv.input_tokens === 0n && iv.output_tokens === 0n) continue;
    lines.push({
      usage_hash: hash(['prometheus', iv.model, iv.start, iv.end, iv.input_tokens.toString(), iv.output_tokens.toString()]),
      file: label,
      line: iv.line,
      day,
      instance_type: opts.instanceType ?? '',
      gpu_hours: hours.toString(),
      busy_hours: null,
      hourly_usd: hourly.toString(),
      cost_usd: hours.mul(hourly).toString(),
      model: iv.model,
      input_tokens: Number(iv.input_tokens),
      output_tokens: Number(iv.output_tokens),
      team: opts.team ?? null,
      vendor: opts.vendor ?? null,
    });
  }
  return { lines, result: summary(label, 'prometheus', scrapes, lines) };
}
