/**
 * `costrail demo` keeps to its own data folder: after the README's demo, `serve` on the default
 * `./.costrail` (or on COSTRAIL_DATA) must find no demo budgets and no demo records, and every
 * record the demo made says it was simulated.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const cwd = mkdtempSync(join(tmpdir(), 'costrail-demo-cwd-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

function demo(args: string[], env: NodeJS.ProcessEnv) {
  const clean = { ...process.env, ...env };
  delete clean.COSTRAIL_DATABASE_URL;
  delete clean.COSTRAIL_REDIS_URL;
  return spawnSync(process.execPath, [BIN, 'demo', '--port', '0', ...args], { cwd, env: clean, encoding: 'utf8', timeout: 120_000 });
}

describe('costrail demo', () => {
  it('--exit writes only to ./.costrail-demo, says where, and marks every record source "simulator"', async () => {
    const real = join(cwd, 'real-ledger');
    const r = demo(['--exit', '--json', '--requests', '30'], { COSTRAIL_DATA: real });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { data: string; sent: number };
    assert.equal(out.data, join(cwd, '.costrail-demo'));
    assert.equal(existsSync(join(cwd, '.costrail')), false, 'the default data folder is untouched');
    assert.equal(existsSync(real), false, 'COSTRAIL_DATA names the real ledger: the demo ignores it');

    const store = await DuckDbStore.open(out.data);
    try {
      const sources = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await store.getEvents({ limit: 1000, cursor });
        for (const e of page.events) sources.add(e.source);
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual([...sources], ['simulator'], 'history and live demo traffic alike');
    } finally {
      await store.close();
    }
  });

  it('refuses a --data folder that already holds data that is not the demo\'s', () => {
    const used = join(cwd, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'admin-token'), 'x');
    const r = demo(['--exit', '--data', used], {});
    assert.equal(r.status, 2);
    assert.match(r.stderr, /not the demo's/);
    assert.deepEqual(readdirSync(used), ['admin-token']);
  });
});
