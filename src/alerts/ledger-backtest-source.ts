/**
 * Backtest input from the ledger: one scan of the records from the baseline's start to `to`,
 * folded into scope series (the same builder the benchmark uses), traces and source sightings.
 */
import type { Store } from '../store/store.js';
import type { Annotation } from './annotation.js';
import type { DetectionInput } from './detection-engine.js';
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
  let n = 0;
  for await (const batch of store.scanRecords({ from: new Date(histFrom).toISOString(), to: new Date(o.toMs).toISOString(), batchSize: 10_000 })) {
    for (const r of batch) builder.add(r);
    n += batch.length;
    o.onRecords?.(n);
  }
  return { ...builder.build(), annotations: o.annotations };
}
