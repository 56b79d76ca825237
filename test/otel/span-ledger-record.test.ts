/**
 * GenAI spans of each attribute generation (the shared fixtures) become priced, attributed ledger
 * records with disjoint usage; other spans are skipped; malformed ones are rejected one by one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPriceBook } from '../../src/pricing/catalog-loader.js';
import { readTraceRequest } from '../../src/otel/otlp-trace-request.js';
import { spanGroupsToRecords } from '../../src/otel/span-ledger-record.js';
import { attributeNames, parseAttributeNames } from '../../src/otel/span-attribution.js';
import { otelExamples, requestWithAttributes } from './otel-fixtures.js';

const book = loadPriceBook();
const convert = (body: unknown, names = attributeNames()) => spanGroupsToRecords(readTraceRequest(body), { book, names });
const ids = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };

test('A (GenAI semconv, gen_ai.provider.name): Anthropic input includes cache reads, converted once to disjoint kinds', () => {
  const out = convert(otelExamples().A_otel_genai_semconv);
  assert.equal(out.rejected, 0);
  assert.equal(out.records.length, 1);
  const r = out.records[0]!;
  assert.equal(r.id, 'otel-5b8efff798038103d269b633813fc60c-eee19b7ec3c1b174');
  assert.equal(r.source, 'otel');
  assert.equal(r.provider, 'anthropic');
  assert.equal(r.model, 'claude-sonnet-4-20250514');
  assert.equal(r.trace_id, '5b8efff798038103d269b633813fc60c');
  assert.equal(r.span_id, 'eee19b7ec3c1b174');
  assert.equal(r.started_at, '2025-08-01T00:00:00.000Z');
  assert.equal(r.duration_ms, 2350);
  // 1310 input tokens include the 1024 read from cache: 286 uncached.
  assert.deepEqual([r.usage?.input_tokens, r.usage?.cache_read_tokens, r.usage?.cache_write_tokens, r.usage?.output_tokens], [286, 1024, 0, 212]);
  assert.equal(r.priced, true);
  // 286 x $3/M + 1024 x $0.30/M + 212 x $15/M
  assert.equal(r.cost?.total, '0.0043452');
  assert.equal(r.attribution.customer, 'acme', 'app.tenant_id is a default customer attribute');
  assert.equal(r.attribution.env, 'prod');
  assert.equal(r.attribution.project, 'support-bot', 'service.name is the fallback project');
  assert.equal(r.response_id, 'msg_01XFDUDYJgAACzvnptvVoYEL');
});

test('B (legacy gen_ai.system / prompt_tokens, OpenLLMetry names): OpenAI prompt includes cached tokens', () => {
  const out = convert(requestWithAttributes(otelExamples().B_legacy_and_openllmetry_names.attributes, ids));
  const r = out.records[0]!;
  assert.equal(r.provider, 'openai');
  assert.equal(r.model, 'gpt-4o-2024-08-06');
  assert.equal(r.model_requested, 'gpt-4o');
  assert.deepEqual([r.usage?.input_tokens, r.usage?.cache_read_tokens, r.usage?.output_tokens], [176, 1024, 150]);
  // 176 x $2.50/M + 1024 x $1.25/M + 150 x $10/M
  assert.equal(r.cost?.total, '0.00322');
  assert.equal(r.attribution.feature, 'ticket_triage');
  assert.equal(r.attribution.customer, 'acme');
  assert.deepEqual(r.raw_usage, { 'gen_ai.usage.prompt_tokens': 1200, 'gen_ai.usage.completion_tokens': 150, 'gen_ai.usage.cache_read_input_tokens': 1024, 'gen_ai.usage.cache_creation_input_tokens': 0 });
});

test('C (OpenInference): the hosting provider (llm.provider) prices the call, metadata JSON gives the feature', () => {
  const out = convert(requestWithAttributes(otelExamples().C_openinference.attributes, ids));
  const r = out.records[0]!;
  assert.equal(r.provider, 'azure');
  assert.equal(r.model, 'gpt-4o-2024-08-06');
  assert.deepEqual([r.usage?.input_tokens, r.usage?.cache_read_tokens, r.usage?.output_tokens, r.usage?.reasoning_tokens], [176, 1024, 150, 0]);
  assert.equal(r.priced, true);
  assert.equal(r.cost?.total, '0.00322', 'priced by the price book, not by the span\'s float llm.cost.total');
  assert.equal(r.attribution.feature, 'ticket_triage');
  assert.equal(r.attribution.user, '9328ae73-7141-4f45-a044-8e06192aa465');
});

test('reasoning tokens are split out of the completion count', () => {
  const r = convert(requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': 'o3-mini', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 900, 'gen_ai.usage.reasoning.output_tokens': 640 }, ids)).records[0]!;
  assert.deepEqual([r.usage?.output_tokens, r.usage?.reasoning_tokens], [260, 640]);
});

test('an unknown model is unpriced with a reason, never $0', () => {
  const r = convert(requestWithAttributes({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'no-such-model-9', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 }, ids)).records[0]!;
  assert.equal(r.priced, false);
  assert.equal(r.cost, null);
  assert.ok(r.unpriced_reason);
});

test('non-GenAI spans and agent/tool spans are skipped; an absurd count or a malformed span is rejected alone', () => {
  const http = requestWithAttributes({ 'http.request.method': 'GET', 'url.full': 'https://example.com' }, ids);
  const agent = requestWithAttributes({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' }, ids);
  const chain = requestWithAttributes({ 'openinference.span.kind': 'CHAIN', 'llm.model_name': 'gpt-4o' }, ids);
  for (const body of [http, agent, chain]) {
    const out = convert(body);
    assert.equal(out.records.length, 0);
    assert.equal(out.ignored, 1);
    assert.equal(out.rejected, 0);
  }
  const absurd = convert(requestWithAttributes({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': -5 }, ids));
  assert.equal(absurd.records.length, 0);
  assert.equal(absurd.rejected, 1);
  assert.match(absurd.errors[0]!, /gen_ai.usage.input_tokens is negative/);

  const mixed = otelExamples().A_otel_genai_semconv as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  const spans = mixed.resourceSpans[0]!.scopeSpans[0]!.spans;
  spans.push({ ...spans[0], traceId: 'not-hex' });
  const out = convert(mixed);
  assert.equal(out.records.length, 1, 'the good span still lands');
  assert.equal(out.rejected, 1);
  assert.match(out.errors[0]!, /traceId/);
});

test('attribute names are configurable: the operator\'s names are read first', () => {
  const names = attributeNames(parseAttributeNames('customer=traceloop.entity.name,team=org.team|service.name'));
  const r = convert(requestWithAttributes(otelExamples().B_legacy_and_openllmetry_names.attributes, ids), names).records[0]!;
  assert.equal(r.attribution.customer, 'classify');
  assert.equal(r.attribution.team, 'triage', 'read from the resource when the span lacks it');
  assert.throws(() => parseAttributeNames('colour=x'), /key one of team/);
});
