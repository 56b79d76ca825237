/** `costrail import otel FILE` as a user runs it: every fixture generation lands priced; a re-run inserts nothing; a bad line refuses the file. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DuckDbStore } from '../../src/store/embedded/duckdb-store.js';
import { startCostrail } from '../../src/server/costrail-runtime.js';
import type { LedgerRecord } from '../../src/ledger/ledger-record.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { otelExamples, requestWithAttributes } from './otel-fixtures.js';

const BIN = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const env = { ...process.env };
  delete env.COSTRAIL_ADMIN_TOKEN;
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('costrail import otel', () => {
  const dir = tempDir('costrail-import-otel-');
  const ex = otelExamples();
  const lines = [
    JSON.stringify(ex.A_otel_genai_semconv),
    JSON.stringify(requestWithAttributes(ex.B_legacy_and_openllmetry_names.attributes, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) })),
    '',
    JSON.stringify(requestWithAttributes(ex.C_openinference.attributes, { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) })),
    JSON.stringify(requestWithAttributes({ 'http.request.method': 'POST' }, { traceId: 'e'.repeat(32), spanId: 'f'.repeat(16) })),
  ];
  const file = join(dir, 'spans.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');

  it('imports each generation priced and attributed, and a re-run inserts nothing twice', async () => {
    const data = join(dir, 'data');
    const first = await run(['import', 'otel', file, '--data', data, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const s1 = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual([s1['lines'], s1['spans'], s1['inserted'], s1['duplicates'], s1['ignored'], s1['rejected_spans']], [4, 3, 3, 0, 1, 0]);
    const again = await run(['import', 'otel', file, '--data', data, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const s2 = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.deepEqual([s2['inserted'], s2['duplicates']], [0, 3]);

    const store = await DuckDbStore.open(data);
    try {
      const { events } = await store.getEvents({ limit: 100 });
      assert.equal(events.length, 3);
      const byId = new Map(events.map((e) => [e.id, e]));
      const a = byId.get('otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174');
      assert.equal(a?.source, 'otel');
      assert.equal(a?.cost?.total, '0.0043452');
      assert.equal(a?.attribution.customer, 'acme');
      assert.equal(a?.trace_id, '5b8efff798038103d269b633813fc60c');
      assert.equal(byId.get(`otel-${'a'.repeat(32)}-${'b'.repeat(16)}`)?.cost?.total, '0.00322');
      assert.equal(byId.get(`otel-${'c'.repeat(32)}-${'d'.repeat(16)}`)?.provider, 'azure');
    } finally {
      await store.close();
    }
  });

  it('a line that is not a request refuses the whole file unless --skip-invalid', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [lines[0], '{"resourceSpans": "nope"}', 'not json'].join('\n'));
    const data = join(dir, 'data-bad');
    const refused = await run(['import', 'otel', bad, '--data', data]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /2 invalid line\(s\) \(first: line 2: .*resourceSpans/);
    const skipped = await run(['import', 'otel', bad, '--data', data, '--skip-invalid', '--json']);
    assert.equal(skipped.code, 0, skipped.stderr);
    const s = JSON.parse(skipped.stdout) as { inserted: number; invalid: { line: number }[] };
    assert.equal(s.inserted, 1);
    assert.deepEqual(s.invalid.map((i) => i.line), [2, 3]);
  });

  it('--url sends the spans to a running server, which prices them with its price book', async () => {
    const rt = await startCostrail({ port: 0, dataDir: join(dir, 'server'), quiet: true });
    try {
      const r = await run(['import', 'otel', file, '--url', rt.url, '--token', rt.adminToken, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { inserted: number }).inserted, 3);
      const res = await fetch(`${rt.url}/api/events?limit=100`, { headers: { authorization: `Bearer ${rt.adminToken}` } });
      const events = ((await res.json()) as { events: LedgerRecord[] }).events;
      assert.deepEqual(events.map((e) => e.cost?.total).sort(), ['0.00322', '0.00322', '0.0043452']);
      assert.ok(events.every((e) => e.source === 'otel'));
    } finally {
      await rt.close();
    }
  });
});
