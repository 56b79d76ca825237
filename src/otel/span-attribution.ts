/**
 * Attribution of a span's call: each ledger attribution key is read from the first attribute
 * name of its list found on the span, then on its resource (a span's own attribute wins over the
 * service-wide one). `costrail.<key>` always comes first, so an application can be explicit;
 * the rest are the names the common instrumentations already emit. Operators put their own
 * names in front (`otel.attributes` / COSTRAIL_OTEL_ATTRIBUTES, see docs/otel.md).
 *
 * `metadata.<name>` reads <name> out of OpenInference's `metadata` attribute (a JSON object string).
 */
import { ATTRIBUTION_FIELDS, emptyAttribution, type Attribution } from '../ledger/ledger-record.js';
import { PRIORITIES } from '../ledger/ledger-schema.js';
import type { SpanAttributeValue, SpanAttributes } from './otlp-trace-request.js';

export type AttributionKey = keyof Attribution;
export type AttributeNameMap = Readonly<Record<AttributionKey, readonly string[]>>;

export const DEFAULT_ATTRIBUTE_NAMES: AttributeNameMap = {
  team: ['costrail.team', 'team', 'app.team', 'metadata.team'],
  project: ['costrail.project', 'project', 'metadata.project', 'service.name'],
  feature: ['costrail.feature', 'feature', 'metadata.feature', 'traceloop.workflow.name'],
  customer: ['costrail.customer', 'customer', 'app.tenant_id', 'tenant.id', 'traceloop.association.properties.customer_id', 'metadata.customer'],
  user: ['costrail.user', 'enduser.id', 'user.id', 'traceloop.association.properties.user_id'],
  env: ['costrail.env', 'deployment.environment.name', 'deployment.environment'],
  agent: ['costrail.agent', 'gen_ai.agent.name', 'traceloop.association.properties.agent'],
  prompt_version: ['costrail.prompt_version', 'llm.prompt_template.version', 'gen_ai.prompt.version'],
  priority: ['costrail.priority'],
};

const MAX_VALUE = 256;

/** The default map with the operator's names put first for the keys they name. */
export function attributeNames(overrides: Partial<Record<AttributionKey, readonly string[]>> = {}): AttributeNameMap {
  const out = { ...DEFAULT_ATTRIBUTE_NAMES } as Record<AttributionKey, readonly string[]>;
  for (const key of ATTRIBUTION_FIELDS) {
    const extra = overrides[key];
    if (extra && extra.length) out[key] = [...extra, ...DEFAULT_ATTRIBUTE_NAMES[key].filter((n) => !extra.includes(n))];
  }
  return out;
}

/**
 * Parses `customer=app.tenant_id,team=my.team|org.team` (the COSTRAIL_OTEL_ATTRIBUTES form).
 * Throws a message naming the bad part.
 */
export function parseAttributeNames(spec: string): Partial<Record<AttributionKey, string[]>> {
  const out: Partial<Record<AttributionKey, string[]>> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)=(.+)$/.exec(part);
    const key = m?.[1] as AttributionKey | undefined;
    if (!m || !key || !ATTRIBUTION_FIELDS.includes(key)) throw new Error(`"${part}": expected <key>=<attribute>[|<attribute>…] with key one of ${ATTRIBUTION_FIELDS.join(', ')}`);
    out[key] = (m[2] ?? '').split('|').map((n) => n.trim()).filter(Boolean);
  }
  return out;
}

export function spanAttribution(span: SpanAttributes, resource: SpanAttributes, names: AttributeNameMap): Attribution {
  const attribution = emptyAttribution();
  let metadata: Record<string, unknown> | null | undefined;
  const lookup = (attrs: SpanAttributes, name: string): string | null => {
    if (name.startsWith('metadata.') && !attrs.has(name)) {
      if (attrs !== span) return null;
      metadata ??= parseMetadata(span.get('metadata'));
      return asValue(metadata?.[name.slice('metadata.'.length)] as SpanAttributeValue | undefined);
    }
    return asValue(attrs.get(name));
  };
  for (const key of ATTRIBUTION_FIELDS) {
    let value: string | null = null;
    for (const source of [span, resource]) {
      for (const name of names[key]) {
        value = lookup(source, name);
        if (value !== null) break;
      }
      if (value !== null) break;
    }
    if (key === 'priority') attribution.priority = (PRIORITIES as readonly string[]).includes(value ?? '') ? (value as Attribution['priority']) : null;
    else attribution[key] = value;
  }
  return attribution;
}

function asValue(v: SpanAttributeValue | undefined): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim().slice(0, MAX_VALUE);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

function parseMetadata(v: SpanAttributeValue | undefined): Record<string, unknown> | null {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
  if (typeof v !== 'string' || v.length > 65536) return null;
  try {
    const o: unknown = JSON.parse(v);
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
