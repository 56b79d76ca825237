/** The policy commands end to end against a running server (--url, --token). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startCostrail, type CostrailRuntime } from '../../src/server/costrail-runtime.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
let rt: CostrailRuntime;
before(async () => {
  rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-policy-cli-'), quiet: true, upstreams: {} });
});
after(async () => {
  await rt.close();
});

function run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args, '--url', rt.url, '--token', rt.adminToken]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('costrail budgets / kill-switch / rate-limits', () => {
  it('creates, lists, shows and deletes a budget', async () => {
    const c = await run('budgets', 'create', '--id', 'search-month', '--name', 'Search monthly', '--scope', 'team=search,tag:env=prod', '--limit-usd', '25', '--timezone', 'Europe/Berlin', '--json');
    assert.equal(c.code, 0, c.stderr);
    const created = JSON.parse(c.stdout) as { id: string; scope: Record<string, string>; spent: string; resets_at: string };
    assert.deepEqual(created.scope, { team: 'search', 'tag:env': 'prod' });
    assert.equal(created.spent, '0');
    const list = await run('budgets', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /search-month\s+Search monthly\s+team=search,tag:env=prod\s+month \(Europe\/Berlin\)\s+\$25/);
    const show = await run('budgets', 'show', 'search-month', '--json');
    assert.equal((JSON.parse(show.stdout) as { limit_usd: string }).limit_usd, '25');
    assert.equal((await run('budgets', 'delete', 'search-month')).code, 0);
    const gone = await run('budgets', 'show', 'search-month');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no budget "search-month" \(HTTP 404\)/);
  });

  it('rejects a budget without a limit in one actionable line', async () => {
    const r = await run('budgets', 'create', '--name', 'x');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /exactly one of --limit-usd or --limit-tokens/);
  });

  it('sets, lists and lifts a kill switch; creates and deletes a rate limit', async () => {
    const set = await run('kill-switch', 'set', '--scope', 'agent=planner', '--reason', 'looping', '--json');
    assert.equal(set.code, 0, set.stderr);
    const id = (JSON.parse(set.stdout) as { id: string }).id;
    assert.match((await run('kill-switch', 'list')).stdout, new RegExp(`${id}\\s+agent=planner\\s+looping`));
    assert.match((await run('kill-switch', 'lift', id)).stdout, /lifted/);
    const rl = await run('rate-limits', 'create', '--scope', 'team=growth', '--rpm', '60', '--usd-per-minute', '0.50', '--json');
    assert.equal(rl.code, 0, rl.stderr);
    const rlId = (JSON.parse(rl.stdout) as { id: string }).id;
    assert.match((await run('rate-limits', 'list')).stdout, /team=growth\s+60\s+-\s+0.50/);
    assert.equal((await run('rate-limits', 'delete', rlId)).code, 0);
  });
});
