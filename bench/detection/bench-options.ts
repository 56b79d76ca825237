import { DEFAULT_SCOPE_DIMENSIONS, type SeriesBuilderOptions } from '../../src/alerts/series-builder.js';
import type { Scenario } from './spend-generator.js';

/** The same options the backtest command uses, over the scenario's span. */
export function benchBuilderOptions(sc: Scenario): SeriesBuilderOptions {
  return {
    dimensions: DEFAULT_SCOPE_DIMENSIONS,
    fromMs: sc.start,
    minuteFromMs: sc.evalFrom - 7 * 86_400_000,
    toMs: sc.end,
    topK: 50,
    traceWatchRequests: 20,
    newSourceScopes: ['', 'team', 'feature', 'customer', 'key_id'],
    newSourceDimensions: ['provider', 'model', 'key_id'],
  };
}
