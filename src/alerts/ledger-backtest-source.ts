/**
 * Backtest input from the ledger, from the baseline's start to `to`, folded into scope series (the
 * same builder the benchmark uses), traces and source sightings. The store sums the buckets
 * (ledger-series-query.ts); a scan of every record through SeriesBuilder.add remains for scopes
 * SQL cannot express.
 */
import type { Store } from '../store/store.js';
import type { Annotation } from './annotation.js';
import type { DetectionInput } from './detection-engine.js';
import { loadSeriesFromStore, seriesQueryable } from './ledger-series-query.js';
import { DEFAULT_SCOPE_DIMENSIONS, SeriesBuilder } from './series-builder.js';

export const BASELINE_DAYS = 28;
const DAY = 86_400_000;

export interface BacktestSourceOptions {
  fromMs: number;
  toMs: number;
  dimensions?: readonly string[];
  annotations: readonly Annotation[];
  topK?: number;
  onRecords?: (n: number) => void;
}

export async function loadBacktestInput(store: Store, o: BacktestSourceOptions): Promise<DetectionInput> {
  const histFrom = o.fromMs - BASELINE_DAYS * DAY;
  const builder = new SeriesBuilder({
    dimensions: o.dimensions ?? DEFAULT_SCOPE_DIMENSIONS,
    fromMs: histFrom,
    minuteFromMs: o.fromMs - 7 * DAY,
    toMs: o.toMs,
    topK: o.topK ?? 50,
    traceWatchRequests: 20,
    newSourceScopes: ['', 'team', 'feature', 'customer', 'key_id'],
    newSourceDimensions: ['provider', 'model', 'key_id'],
    extraScopes: o.annotations.map((a) => a.scope),
  });
  const q = { ...builder.o, extraScopes: builder.o.extraScopes ?? [] };
  if (seriesQueryable(q)) {
    const records = await loadSeriesFromStore(store.sql, builder, q);
    o.onRecords?.(records);
    return { ...builder.build(), annotations: o.annotations };
  }
  let n = 0;
  for await (const batch of store.scanRecords({ from: new Date(histFrom).toISOString(), to: new Date(o.toMs).toISOString(), batchSize: 10_000 })) {
    for (const r of batch) builder.add(r);
    n += batch.length;
    o.onRecords?.(n);
  }
  return { ...builder.build(), annotations: o.annotations };
}
