/**
 * `costrail prices override`: a negotiated discount entered as 20, "20" or 20% and a custom price
 * for a self-hosted model change what the price book charges; list and remove by id; `set`
 * points at `reprice --from` for calls already recorded.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadPriceBook, overridesPath } from '../../src/pricing/catalog-loader.js';
import { priceUsage } from '../../src/pricing/cost.js';
import { Decimal } from '../../src/pricing/decimal.js';
import { emptyUsage } from '../../src/providers/spec.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'costrail-overrides-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const costrail = (...args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, 'prices', 'override', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const AT = new Date('2026-06-01T00:00:00Z');
const usage = { ...emptyUsage(), input_tokens: 1_000_000, output_tokens: 1_000_000 };
const cost = (data: string, provider: string, model: string) => priceUsage(loadPriceBook({ dataDir: data }), { provider, model, usage, at: AT }).cost?.total;

describe('costrail prices override', () => {
  it('a 20% discount (entered as 20%) takes a fifth off; list shows it; remove restores list price', () => {
    const data = tmp();
    const list = Decimal.parse(cost(data, 'openai', 'gpt-4o-mini')!);
    const set = costrail('set', '--data', data, '--provider', 'openai', '--models', 'gpt-4o-mini*', '--percent', '20%', '--from', '2026-01-01', '--json');
    assert.equal(set.code, 0, set.err);
    const stored = JSON.parse(set.out) as { id: string; percent: string };
    assert.equal(stored.percent, '20');
    assert.match(set.err, /costrail reprice --from 2026-01-01 --to \d{4}-\d{2}-\d{2} --dry-run/);
    assert.equal(cost(data, 'openai', 'gpt-4o-mini'), list.mul(Decimal.parse('0.8')).toString());

    const shown = costrail('list', '--data', data);
    assert.match(shown.out, new RegExp(`${stored.id}\\s+discount\\s+openai\\s+gpt-4o-mini\\*\\s+20% off\\s+2026-01-01`));
    assert.equal(costrail('remove', stored.id, '--data', data).code, 0);
    assert.equal(cost(data, 'openai', 'gpt-4o-mini'), list.toString());
    assert.equal(costrail('remove', stored.id, '--data', data).code, 2);
  });

  it('a hand-written file with "percent": 20 (a number) is read, not rejected', () => {
    const data = tmp();
    writeFileSync(overridesPath(data), JSON.stringify({ discounts: [{ provider: 'openai', percent: 20, effective_from: '2026-01-01' }] }));
    assert.doesNotThrow(() => loadPriceBook({ dataDir: data }));
    assert.match(costrail('list', '--data', data).out, /#1 \(hand-written\)\s+discount\s+openai\s+\*\s+20% off/);
  });

  it('a custom price for a self-hosted model prices its calls', () => {
    const data = tmp();
    assert.equal(cost(data, 'my-vllm', 'llama-3.1-70b'), undefined, 'unpriced before');
    const set = costrail('set', '--data', data, '--provider', 'my-vllm', '--model', 'llama-3.1-70b', '--input', '0.20', '--output', '$0.60', '--from', '2026-01-01');
    assert.equal(set.code, 0, set.err);
    assert.equal(cost(data, 'my-vllm', 'llama-3.1-70b'), '0.8');
    const file = JSON.parse(readFileSync(overridesPath(data), 'utf8')) as { models: { prices: { rates: Record<string, string> }[] }[] };
    assert.deepEqual(file.models[0]?.prices[0]?.rates, { input: '0.2', output: '0.6' });
    assert.equal(costrail('set', '--data', data, '--percent', '120').code, 2, 'not a percentage');
  });

  it('with a server running on the data folder, set/list/remove go through its API and it prices with them at once', async () => {
    const data = tmp();
    const rt = await startCostrail({ port: 0, dataDir: data, quiet: true, upstreams: {}, advertise: true });
    try {
      // Asynchronously: the server answering the CLI lives in this process.
      const run = async (...args: string[]) => {
        try {
          const r = await promisify(execFile)(process.execPath, [BIN, 'prices', 'override', ...args, '--data', data], { encoding: 'utf8' });
          return { code: 0, out: r.stdout, err: r.stderr };
        } catch (e) {
          const f = e as { code: number; stdout: string; stderr: string };
          return { code: f.code, out: f.stdout, err: f.stderr };
        }
      };
      const before = rt.context.prices.current().version;
      const set = await run('set', '--provider', 'openai', '--percent', '15', '--from', '2026-01-01', '--json');
      assert.equal(set.code, 0, set.err);
      assert.match(set.err, /the running server prices new calls with this now/);
      const id = (JSON.parse(set.out) as { id: string }).id;
      assert.notEqual(rt.context.prices.current().version, before, 'the server reloaded without waiting for its file poll');
      assert.equal(priceUsage(rt.context.prices.current(), { provider: 'openai', model: 'gpt-4o-mini', usage, at: AT }).cost?.total, Decimal.parse(cost(tmp(), 'openai', 'gpt-4o-mini')!).mul(Decimal.parse('0.85')).toString());
      assert.match((await run('list')).out, new RegExp(`${id}\\s+discount\\s+openai\\s+\\*\\s+15% off`));
      assert.equal((await run('remove', id)).code, 0);
      assert.equal(rt.context.prices.current().version, before);
    } finally {
      await rt.close();
    }
  });
});
