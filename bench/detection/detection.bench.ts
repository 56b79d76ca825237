/**
 * The detection benchmark through the product: writes the labelled ledger as JSON Lines, loads it
 * into an embedded store, posts the annotations, runs `costrail anomalies --json` and scores it.
 * `node dist/bench/detection/detection.bench.js [seed] [evalDays]`
 *
 * Loading: `costrail import ledger FILE` when this build has it (wip/analytics), else the records
 * go in through Store.insertRecords (same store, same records).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { AlertRepository } from '../../src/alerts/alert-repository.js';
import { annotationFromInput } from '../../src/alerts/annotation.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { scoreAlerts } from './score.js';
import { generateLedger, planScenario } from './spend-generator.js';

const seed = Number(process.argv[2] ?? 1);
const evalDays = Number(process.argv[3] ?? 14);
const BIN = path.resolve('dist/src/cli/main.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-detect-'));
const sc = planScenario(seed, 21, evalDays);
const jsonl = path.join(dir, 'ledger.jsonl');
const fd = fs.openSync(jsonl, 'w');
const t0 = Date.now();
const n = generateLedger(seed, sc, (batch) => {
  if (batch.length) fs.writeSync(fd, batch.map((r) => JSON.stringify(r)).join('\n') + '\n');
});
fs.closeSync(fd);
const data = path.join(dir, 'data');
const help = spawnSync(process.execPath, [BIN, 'import', '--help'], { encoding: 'utf8' });
const t1 = Date.now();
const canImport = help.status === 0 && /ledger/.test(help.stdout);
if (canImport) {
  const r = spawnSync(process.execPath, [BIN, 'import', 'ledger', jsonl, '--data', data], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('costrail import ledger failed');
} else {
  const store = await DuckDbStore.open(data);
  let batch: LedgerRecord[] = [];
  for await (const line of readline.createInterface({ input: fs.createReadStream(jsonl), crlfDelay: Infinity })) {
    if (!line) continue;
    batch.push(JSON.parse(line) as LedgerRecord);
    if (batch.length === 20_000) {
      await store.insertRecords(batch);
      batch = [];
    }
  }
  await store.insertRecords(batch);
  await store.close();
}
const store = await DuckDbStore.open(data);
const repo = new AlertRepository(store);
for (const [i, e] of sc.events.entries()) if (e.annotation) await repo.addAnnotation(annotationFromInput(`bench-${i}`, e.annotation));
await store.close();
const t2 = Date.now();
const r = spawnSync(process.execPath, [BIN, 'anomalies', '--from', new Date(sc.evalFrom).toISOString(), '--to', new Date(sc.end).toISOString(), '--data', data, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (r.status !== 0) throw new Error(`costrail anomalies failed: ${r.stderr}`);
const t3 = Date.now();
const alerts = (JSON.parse(r.stdout) as { alerts: { detected_at: string; scope: Record<string, string>; kind: string; severity: string }[] }).alerts.map((a) => ({ ...a, detected_at: Date.parse(a.detected_at) }));
const scopes = new Set(alerts.map((a) => JSON.stringify(a.scope))).size;
const score = scoreAlerts(alerts, sc, 38);
console.log(`seed ${seed}, ${evalDays} days evaluated: ${n} records; generate ${t1 - t0} ms, load (${canImport ? 'costrail import ledger' : 'Store.insertRecords'}) ${t2 - t1} ms, costrail anomalies ${t3 - t2} ms; alerts on ${scopes} distinct scopes`);
console.log(JSON.stringify({ ...score, false_list: score.false_list.map((a) => `${new Date(a.detected_at).toISOString()} ${a.kind} ${JSON.stringify(a.scope)}`) }));
fs.rmSync(dir, { recursive: true, force: true });
