/** The shared OTel GenAI span examples (verbatim copy in test/fixtures/otel) as OTLP JSON request bodies. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';

interface Examples {
  A_otel_genai_semconv: { resourceSpans: unknown[] };
  B_legacy_and_openllmetry_names: { attributes: Record<string, unknown> };
  C_openinference: { attributes: Record<string, unknown> };
}

export function otelExamples(): Examples {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'otel', 'otel_span_examples.json'), 'utf8')) as Examples;
}

/** A plain attribute value as an OTLP JSON AnyValue (integers as decimal strings, as the spec encodes 64-bit ints). */
export function anyValue(v: unknown): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return {};
}

export function keyValues(attrs: Record<string, unknown>): { key: string; value: unknown }[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
}

/** One-span request carrying `attrs`, with the given ids. */
export function requestWithAttributes(attrs: Record<string, unknown>, ids: { traceId: string; spanId: string }, resource: Record<string, unknown> = { 'service.name': 'triage' }): { resourceSpans: unknown[] } {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues(resource) },
        scopeSpans: [{ scope: { name: 'test' }, spans: [{ ...ids, name: 'llm call', kind: 3, startTimeUnixNano: '1754006400000000000', endTimeUnixNano: '1754006401500000000', attributes: keyValues(attrs), status: { code: 1 } }] }],
      },
    ],
  };
}
