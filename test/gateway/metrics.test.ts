/** /metrics and /healthz of a whole Costrail process (store, spool, gateway) in front of the simulator. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { startSimulator } from '../../src/simulator/index.js';
import { tempDir } from '../helpers/temp-dir.js';

test('/metrics counts calls, tokens and cost by bounded labels, and never shows a key', async () => {
  const sim = await startSimulator();
  const rt = await startCostrail({ port: 0, dataDir: tempDir('costrail-metrics-'), upstreams: { openai: `${sim.url}/v1` }, quiet: true });
  try {
    for (const team of ['search', 'search', 'support']) {
      const res = await fetch(`${rt.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret-metrics-key', 'x-costrail-team': team },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    // 150 distinct made-up models: the label set stays bounded.
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        fetch(`${rt.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: `junk-model-${i}`, messages: [{ role: 'user', content: 'x' }] }) }).then((r) => r.arrayBuffer()),
      ),
    );
    const text = await (await fetch(`${rt.url}/metrics`, { headers: { authorization: `Bearer ${rt.adminToken}` } })).text();
    assert.match(text, /costrail_requests_total\{provider="openai",model="gpt-4o-mini",team="search",status="ok"\} 2/);
    assert.match(text, /costrail_requests_total\{provider="openai",model="gpt-4o-mini",team="support",status="ok"\} 1/);
    assert.match(text, /costrail_tokens_total\{[^}]*kind="output"\} \d+/);
    assert.match(text, /costrail_cost_usd_total\{provider="openai",model="gpt-4o-mini",team="search"\} [\d.e-]+/);
    assert.match(text, /costrail_unpriced_requests_total\{provider="openai",model="junk-model-\d+"\} 1/);
    assert.match(text, /model="other"/);
    const modelLabels = new Set([...text.matchAll(/model="([^"]+)"/g)].map((m) => m[1]));
    assert.ok(modelLabels.size <= 101, `model label values: ${modelLabels.size}`);
    assert.match(text, /costrail_ledger_spool_depth \d+/);
    assert.match(text, /costrail_request_duration_seconds_bucket/);
    // Every forwarded call (3 priced + 150 unpriced) is timed before forwarding and to upstream headers.
    assert.match(text, /costrail_gateway_overhead_seconds_count\{provider="openai"\} 153/);
    assert.match(text, /costrail_upstream_latency_seconds_count\{provider="openai"\} 153/);
    assert.ok(!text.includes('sk-secret-metrics-key'));

    const health = (await (await fetch(`${rt.url}/healthz`)).json()) as { status: string; price_version: string };
    assert.equal(health.status, 'ok');
    assert.ok(health.price_version.length > 0);
  } finally {
    await rt.close();
    await sim.close();
  }
});
