/**
 * The SDK sender's local spool: while the Costrail server is down, batches go to disk (bounded,
 * drops counted); a new sender on the same directory (a restarted process) replays them once the
 * server is up, and every record arrives exactly once, even when a batch is replayed twice.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import { emptyAttribution, type LedgerRecord } from '../../src/ledger/ledger-record.js';
import { USAGE_VERSION } from '../../src/providers/spec.js';
import { RecordSender } from '../../src/sdk/index.js';
import { tempDir } from '../helpers/temp-dir.js';

function sdkRecord(i: number): LedgerRecord {
  return {
    id: `spool-${i}`, source: 'sdk', started_at: new Date(Date.UTC(2026, 10, 1, 8, 0, i)).toISOString(), ended_at: null, duration_ms: 10, ttft_ms: null,
    provider: 'openai', api: 'chat.completions', model_requested: 'gpt-4o-mini', model: 'gpt-4o-mini', status: 'ok', http_status: 200, stream: false,
    usage: { input_tokens: 100, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 20, reasoning_tokens: 0, audio_input_tokens: 0, audio_cache_read_tokens: 0, audio_output_tokens: 0, image_input_tokens: 0, web_search_calls: 0 },
    usage_source: 'provider', cost: null, priced: false, price_version: null, attribution: { ...emptyAttribution(), team: 'spool' }, tags: {}, key_id: null,
    trace_id: null, span_id: null, error: null, raw_usage: null, usage_version: USAGE_VERSION, unpriced_reason: null,
  };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('server down: records are spooled; a restarted sender replays them when the server is up, each exactly once', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const spoolDir = tempDir('costrail-sdk-spool-');
  const dataDir = tempDir('costrail-sdk-spool-data-');
  const first = new RecordSender({ url, token: 'not-yet', spoolDir, batchSize: 4, maxQueue: 8, flushIntervalMs: 60_000 });
  for (let i = 0; i < 10; i++) first.enqueue(sdkRecord(i));
  await first.flush();
  await first.close();
  assert.equal(first.stats().sent, 0);
  assert.equal(first.stats().dropped, 0);
  assert.equal(first.stats().queued, 0);
  assert.equal(first.spooledPending(), 10, 'every record is on disk');

  // Keep a copy of one batch: it stands for a batch sent just before a crash, not yet deleted.
  const [oldest] = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson')).sort();
  const again = fs.readFileSync(path.join(spoolDir, oldest!), 'utf8');

  const rt = await startCostrail({ port, dataDir, quiet: true, upstreams: {} });
  try {
    const restarted = new RecordSender({ url, token: rt.adminToken, spoolDir, flushIntervalMs: 60_000 });
    await restarted.flush();
    assert.equal(restarted.stats().sent, 10);
    assert.equal(restarted.spooledPending(), 0, 'the spool is empty once the server took it');
    fs.writeFileSync(path.join(spoolDir, oldest!), again);
    await restarted.flush();
    await rt.writer.flush();
    const res = await fetch(`${url}/api/events?limit=100&team=spool`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
    const ids = ((await res.json()) as { events: LedgerRecord[] }).events.map((e) => e.id).sort();
    assert.deepEqual(ids, Array.from({ length: 10 }, (_, i) => `spool-${i}`).sort());
  } finally {
    await rt.close();
  }
});

test('the spool is bounded in bytes: the oldest batches go first and their records are counted as dropped', async () => {
  const spoolDir = tempDir('costrail-sdk-spool-bound-');
  const sender = new RecordSender({ url: 'http://127.0.0.1:9', spoolDir, batchSize: 5, maxSpoolBytes: 6000, flushIntervalMs: 60_000 });
  for (let i = 0; i < 30; i++) sender.enqueue(sdkRecord(i));
  await sender.close();
  const st = sender.stats();
  assert.ok(st.dropped > 0, 'something was dropped');
  assert.equal(st.dropped + sender.spooledPending(), 30, 'every record is either on disk or counted as dropped');
  const kept = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson')).reduce((n, f) => n + fs.statSync(path.join(spoolDir, f)).size, 0);
  assert.ok(kept <= 6000, `spool holds ${kept} bytes`);
});
