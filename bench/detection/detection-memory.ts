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
const builder = new SeriesBuilder({ ...benchBuilderOptions(sc), extraScopes: sc.events.flatMap((e) => (e.annotation ? [e.annotation.scope] : [])) });
const t0 = Date.now();
const n = generateLedger(seed, sc, (batch) => batch.forEach((r) => builder.add(r)));
const input = { ...builder.build(), annotations: sc.events.filter((e) => e.annotation).map((e, i) => annotationFromInput(`a${i}`, e.annotation!)) };
const t1 = Date.now();
const alerts = await runBacktest(input, { fromMs: sc.evalFrom, toMs: sc.end });
const t2 = Date.now();
const scopes = input.scopes.length;
console.log(`seed ${seed}: ${n} records, ${scopes} scopes, generate+fold ${t1 - t0} ms, backtest ${t2 - t1} ms`);
const score = scoreAlerts(alerts, sc, scopes);
console.log('costrail  ', JSON.stringify({ ...score, false_list: undefined }));
for (const f of score.false_list) {
  const a = alerts.find((x) => x.detected_at === f.detected_at && x.kind === f.kind && x.scope === f.scope);
  console.log('  false:', new Date(f.detected_at).toISOString(), f.kind, JSON.stringify(f.scope), a?.summary);
}
for (const k of [2, 3]) console.log(`avg x ${k}   `, JSON.stringify({ ...scoreAlerts(averageThresholdBacktest(input, sc.evalFrom, sc.end, k), sc, scopes), false_list: undefined }));
if (process.env.SHOW) for (const a of alerts) console.log(new Date(a.detected_at).toISOString(), a.kind, a.severity, JSON.stringify(a.scope), a.summary);
