/** Re-pricing with a back-dated negotiated discount, on a real DuckDB store and through the CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RepriceResult } from '../../src/ledger-admin/reprice.js';
import { repriceLedger } from '../../src/ledger-admin/reprice.js';
import { loadPriceBook, overridesPath } from '../../src/pricing/catalog-loader.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const D = (s: string) => Decimal.parse(s);

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a back-dated 20% discount on one model: dry run changes nothing, the real run changes exactly that model, audited, idempotent', async () => {
  const data = tempDir('costrail-reprice-');
  const sim = cli(['simulate', '--days', '10', '--requests', '3000', '--start', '2026-09-25', '--data', data, '--json']);
  assert.equal(sim.code, 0, sim.stderr);
  const imported = join(data, 'reported.jsonl');
  writeFileSync(imported, JSON.stringify({ id: 'rep-1', started_at: '2026-10-02T00:00:00Z', provider: 'openai', model: 'gpt-4o-mini', usage: { input_tokens: 1000 }, cost: { total: '1.00' } }) + '\n');
  assert.equal(cli(['import', 'ledger', imported, '--data', data]).code, 0);

  // The contract started 2026-10-01: 20% off gpt-4o-mini from then on.
  writeFileSync(overridesPath(data), JSON.stringify({ discounts: [{ provider: 'openai', models: ['gpt-4o-mini'], percent: '20', effective_from: '2026-10-01', note: 'MSA 2026' }] }));

  const store = await DuckDbStore.open(data);
  const before = await store.getSpend({ from: '2026-09-01', to: '2026-11-01', group_by: ['model'] });
  const miniOct = await store.getSpend({ from: '2026-10-01', to: '2026-11-01', filters: { model: 'gpt-4o-mini', source: 'simulator' } });
  await store.close();

  const dry = cli(['reprice', '--from', '2026-09-01', '--to', '2026-11-01', '--dry-run', '--json', '--data', data]);
  assert.equal(dry.code, 0, dry.stderr);
  const d = JSON.parse(dry.stdout) as RepriceResult;
  assert.equal(d.dry_run, true);
  assert.equal(d.skipped.reported_import, 1);
  const changedModels = d.models.filter((m) => m.changed > 0);
  assert.deepEqual(changedModels.map((m) => m.model), ['gpt-4o-mini']);
  const mini = changedModels[0];
  // Exactly 20% of October's gpt-4o-mini spend (September is before the contract).
  assert.equal(mini?.difference, D(miniOct.total.cost).mulInt(-20).shift(2).toString());
  assert.equal(d.totals.difference, mini?.difference);

  let s2 = await DuckDbStore.open(data);
  assert.deepEqual(await s2.getSpend({ from: '2026-09-01', to: '2026-11-01', group_by: ['model'] }), before, 'dry run changed nothing');
  await s2.close();

  const real = cli(['reprice', '--from', '2026-09-01', '--to', '2026-11-01', '--data', data, '--reason', 'MSA discount']);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /gpt-4o-mini/);
  assert.match(real.stdout, /changed \d+;/);

  s2 = await DuckDbStore.open(data);
  try {
    const after = await s2.getSpend({ from: '2026-09-01', to: '2026-11-01' });
    assert.equal(D(after.total.cost).toString(), D(before.total.cost).add(D(d.totals.difference)).toString());
    const history = await s2.sql.query("SELECT count(*) AS n, min(reason) AS reason FROM ledger_cost_history");
    assert.equal(Number(history[0]?.n), mini?.changed);
    assert.equal(history[0]?.reason, 'MSA discount');
    const rep = (await s2.getEvents({ limit: 5, model: 'gpt-4o-mini', from: '2026-10-02T00:00:00Z', to: '2026-10-02T00:00:00.001Z' })).events.find((e) => e.id === 'rep-1');
    assert.equal(rep?.cost?.total, '1', 'a reported import keeps its cost');

    // Idempotent: a second run with the same book changes nothing.
    const again = await repriceLedger(s2, { from: '2026-09-01', to: '2026-11-01', dryRun: false, book: loadPriceBook({ dataDir: data }) });
    assert.equal(again.changed, 0);
    assert.equal(again.totals.difference, '0');
  } finally {
    await s2.close();
  }
});
