/**
 * Quick loop for tuning: generate a scenario, fold it straight into series (no store), backtest,
 * score, and score the 30-day-average baseline on the same series. `node dist/bench/detection/detection-memory.js [seed]`
 */
import { annotationFromInput } from '../../src/alerts/annotation.js';
import { runBacktest } from '../../src/alerts/backtest.js';
import { SeriesBuilder } from '../../src/alerts/series-builder.js';
import { averageThresholdBacktest } from './average-threshold.js';
import { scoreAlerts } from './score.js';
import { generateLedger, planScenario } from './spend-generator.js';
import { benchBuilderOptions } from './bench-options.js';

const seed = Number(process.argv[2] ?? 1);
const sc = planScenario(seed);
const builder = new SeriesBuilder(benchBuilderOptions(sc));
const t0 = Date.now();
const n = generateLedger(seed, sc, (batch) => batch.forEach((r) => builder.add(r)));
const input = { ...builder.build(), annotations: sc.events.filter((e) => e.annotation).map((e, i) => annotationFromInput(`a${i}`, e.annotation!)) };
const t1 = Date.now();
const alerts = runBacktest(input, { fromMs: sc.evalFrom, toMs: sc.end });
const t2 = Date.now();
const scopes = input.scopes.length;
console.log(`seed ${seed}: ${n} records, ${scopes} scopes, generate+fold ${t1 - t0} ms, backtest ${t2 - t1} ms`);
console.log('costrail  ', JSON.stringify(scoreAlerts(alerts, sc, scopes)));
for (const k of [2, 3]) console.log(`avg x ${k}   `, JSON.stringify(scoreAlerts(averageThresholdBacktest(input, sc.evalFrom, sc.end, k), sc, scopes)));
if (process.env.SHOW) for (const a of alerts) console.log(new Date(a.detected_at).toISOString(), a.kind, a.severity, JSON.stringify(a.scope), a.summary);
