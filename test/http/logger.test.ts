/** The structured log: credentials are censored wherever they appear; access lines carry metadata only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/http/logger.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { emptyAttribution } from '../../src/ledger/ledger-record.js';

function capture(): { lines: () => Record<string, unknown>[]; text: () => string; stream: Writable } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text, lines: () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

test('credentials in headers, fields and URLs are redacted', () => {
  const out = capture();
  const { log } = createLogger({ level: 'info', destination: out.stream }, {});
  log.info(
    {
      headers: { authorization: 'Bearer sk-live-1', 'x-api-key': 'sk-ant-2', 'api-key': 'azure-3', 'x-goog-api-key': 'AIza-4', 'content-type': 'application/json' },
      req: { headers: { authorization: 'Bearer sk-live-5' } },
      secret: 'top-6',
      upstream: { token: 'tok-7' },
      url: '/v1beta/models/gemini-2.5-flash:generateContent?alt=sse&key=AIza-8',
    },
    'incoming',
  );
  const text = out.text();
  for (const s of ['sk-live-1', 'sk-ant-2', 'azure-3', 'AIza-4', 'sk-live-5', 'top-6', 'tok-7', 'AIza-8']) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  const line = out.lines()[0] as { headers: Record<string, string>; url: string };
  assert.equal(line.headers['content-type'], 'application/json', 'other fields stay');
  assert.equal(line.headers['authorization'], '[redacted]');
  assert.equal(line.url, '/v1beta/models/gemini-2.5-flash:generateContent?alt=sse&key=[redacted]');
});

const record: LedgerRecord = {
  id: 'req-1', source: 'gateway', started_at: '2026-11-27T00:00:00.000Z', ended_at: '2026-11-27T00:00:01.000Z', duration_ms: 1000, ttft_ms: 200,
  provider: 'openai', api: 'chat.completions', model_requested: 'gpt-4o-mini', model: 'gpt-4o-mini-2024-07-18', status: 'ok', http_status: 200, stream: false,
  usage: null, usage_source: null, cost: null, priced: false, price_version: null,
  attribution: { ...emptyAttribution(), team: 'search' }, tags: {}, key_id: 'vk_1', trace_id: null, span_id: null,
};

test('access lines: off at the default level, on when asked, metadata only', () => {
  const quiet = capture();
  createLogger({ destination: quiet.stream }, {}).access(record);
  assert.equal(quiet.text(), '');
  const loud = capture();
  createLogger({ destination: loud.stream }, { COSTRAIL_ACCESS_LOG: 'info' }).access(record);
  const line = loud.lines()[0];
  assert.ok(line);
  assert.equal(line['msg'], 'gateway call');
  assert.deepEqual([line['request_id'], line['key_id'], line['team'], line['status']], ['req-1', 'vk_1', 'search', 'ok']);
  const off = capture();
  createLogger({ destination: off.stream, level: 'debug' }, { COSTRAIL_ACCESS_LOG: 'off' }).access(record);
  assert.equal(off.text(), '');
});
