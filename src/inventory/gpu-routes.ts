/**
 * Self-hosted GPU inference over the management API:
 * - `POST /api/import/gpu-usage`: a GPU usage CSV (`text/csv`) or a Prometheus scrape log
 *   (`text/plain`) as the body, so `costrail import gpu-usage` works while a server owns the store;
 * - `GET /api/gpu`: effective $/1M tokens per model, utilisation and idle cost, and the cheapest
 *   comparable API (src/inventory/gpu-report.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import type { Store } from '../store/store.js';
import { ComparableModels, loadComparableTable, type ComparableTable } from './comparable-models.js';
import { GpuInputError } from './gpu-usage-fields.js';
import { GPU_FORMATS, importGpuUsageFile, type GpuFormat } from './gpu-usage-import.js';
import { DEFAULT_OUTPUT_WEIGHT, gpuReport, GpuReportInputError } from './gpu-report.js';
import { GpuImportResultSchema, GpuReportSchema } from './gpu-api-schemas.js';

export interface GpuRoutesDeps {
  store: Store;
  prices: PriceBookSource;
}

export function registerGpuRoutes(api: ApiRouter, ctx: GpuRoutesDeps): void {
  let table: ComparableTable | undefined;
  api.add({
    method: 'POST',
    path: '/api/import/gpu-usage',
    summary: 'Import self-hosted GPU usage: a CSV (GPU hours by instance type, hourly cost, tokens per model) or Prometheus text scraped from vLLM / TGI (token counters, deltas between scrapes)',
    tag: 'Inventory',
    access: 'admin',
    response: GpuImportResultSchema,
    queryParams: {
      format: 'auto (default), csv or prometheus',
      map: 'CSV: COLUMN=FIELD, repeatable',
      model: 'Prometheus: the model of series without a model_name label (TGI)',
      instance_type: 'Prometheus: the instance type the server ran on (with hourly_usd, charges each scrape interval\'s GPU hours)',
      gpus: 'Prometheus: GPUs of that server (default 1)',
      hourly_usd: 'Prometheus: USD per GPU hour',
      team: 'Prometheus: team of every line',
      vendor: 'Prometheus: who the GPUs are rented from',
      file: 'the file name recorded with each line (default "upload")',
    },
    handler: async (req) => {
      if (typeof req.body !== 'string' || req.body.length === 0) throw ApiError.badRequest('send the file as the request body (text/csv for a CSV, text/plain for Prometheus text)');
      const format = req.query.get('format') ?? 'auto';
      if (!(GPU_FORMATS as readonly string[]).includes(format)) throw ApiError.badRequest(`format must be one of ${GPU_FORMATS.join(', ')}`);
      const gpus = req.query.get('gpus');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-gpu-'));
      const file = path.join(dir, 'usage');
      try {
        fs.writeFileSync(file, req.body);
        const q = (k: string): string | undefined => req.query.get(k) ?? undefined;
        const result = await importGpuUsageFile(ctx.store, file, {
          format: format as GpuFormat,
          map: req.query.getAll('map'),
          model: q('model'),
          instanceType: q('instance_type'),
          gpus: gpus === null ? undefined : Number(gpus),
          hourlyUsd: q('hourly_usd'),
          team: q('team'),
          vendor: q('vendor'),
          fileLabel: (req.query.get('file') ?? 'upload').slice(0, 200),
        });
        if (result.status === 'refused') {
          const first = result.invalid[0];
          throw new ApiError(400, 'invalid_lines', `${result.invalid_count} invalid row(s), first line ${first?.line}: ${first?.error}; nothing imported`, result.invalid);
        }
        return { body: result };
      } catch (e) {
        if (e instanceof GpuInputError) throw ApiError.badRequest(`${e.message}; nothing imported`);
        throw e;
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  });

  api.add({
    method: 'GET',
    path: '/api/gpu',
    summary: 'Self-hosted inference: effective $/1M input and output tokens per model, GPU utilisation and idle cost, and the cheapest comparable API model',
    tag: 'Inventory',
    access: 'admin',
    queryParams: {
      from: 'inclusive start, ISO 8601 (required)',
      to: 'exclusive end, ISO 8601 (required)',
      output_weight: `input-token equivalents of one output token for the input/output cost split (default ${DEFAULT_OUTPUT_WEIGHT}; 1 = split by token share)`,
    },
    response: GpuReportSchema,
    handler: async (req) => {
      const from = req.query.get('from');
      const to = req.query.get('to');
      if (!from || !to || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(to))) throw ApiError.badRequest('from and to are required ISO 8601 dates or instants');
      if (Date.parse(from) >= Date.parse(to)) throw ApiError.badRequest('from must be before to');
      table ??= loadComparableTable();
      try {
        const comparables = new ComparableModels(table, ctx.prices.current());
        return { body: await gpuReport(ctx.store, comparables, { from: new Date(from).toISOString(), to: new Date(to).toISOString(), output_weight: req.query.get('output_weight') ?? undefined }) };
      } catch (e) {
        if (e instanceof GpuReportInputError) throw ApiError.badRequest(e.message);
        throw e;
      }
    },
  });
}
