/**
 * The one rule for figures a provider (or an imported ledger line) claims: every token count is
 * a non-negative safe integer no larger than MAX_TOKENS_PER_KIND, and a provider-reported charge
 * is a non-negative decimal no larger than MAX_REPORTED_CALL_USD.
 *
 * Why a bound at all: a single response claiming 1e30 tokens is priced at ~$10^23 and, worse, no
 * store column can hold it (DuckDB/PostgreSQL BIGINT), so the record would poison every batch it
 * travels in. Why 10^12: the largest context windows are ~10^7 tokens, so 10^12 per kind leaves
 * five orders of magnitude of headroom for aggregates (batch files, realtime sessions) while
 * keeping every sum of kinds far inside Number.MAX_SAFE_INTEGER (2^53 - 1), which is also why
 * 2^53 + 1 (which JSON.parse silently rounds to 2^53) can never be taken at face value.
 */
import { Decimal } from '../pricing/decimal.js';
import { ProviderPayloadError, USAGE_KINDS, type Usage, type UsageExtraction } from './spec.js';

export const MAX_TOKENS_PER_KIND = 1_000_000_000_000;
/** A single call billed above this by the provider is a malformed payload, not a price. */
export const MAX_REPORTED_CALL_USD = '1000000';
const MAX_USD = Decimal.parse(MAX_REPORTED_CALL_USD);

/** Why a count is refused, or undefined when it is acceptable. */
export function tokenCountProblem(v: unknown): string | undefined {
  if (typeof v !== 'number') return `is a ${v === null ? 'null' : typeof v}, not a number`;
  if (!Number.isFinite(v)) return 'is not finite';
  if (!Number.isInteger(v)) return 'is not an integer';
  if (v < 0) return 'is negative';
  if (!Number.isSafeInteger(v)) return 'is beyond 2^53 - 1 (JSON cannot carry it exactly)';
  if (v > MAX_TOKENS_PER_KIND) return `exceeds the bound of ${MAX_TOKENS_PER_KIND} tokens`;
  return undefined;
}

/** Throws ProviderPayloadError naming the field when `v` is not an acceptable count. */
export function checkTokenCount(field: string, v: unknown): number {
  const problem = tokenCountProblem(v);
  if (problem !== undefined) throw new ProviderPayloadError(`usage field "${field}" ${problem}: ${describe(v)}`);
  return v as number;
}

/** Every kind of a normalized usage (derived kinds too: prompt minus cached must not go negative). */
export function checkUsage(u: Usage): Usage {
  for (const kind of USAGE_KINDS) checkTokenCount(kind, u[kind]);
  return u;
}

/** Why an amount of money reported for one call is refused (negative, absurd, not a decimal), or undefined. */
export function callCostProblem(d: Decimal | undefined): string | undefined {
  if (!d) return 'is not a decimal amount';
  if (d.isNegative()) return 'is negative';
  if (d.cmp(MAX_USD) > 0) return `exceeds ${MAX_REPORTED_CALL_USD} USD for one call`;
  return undefined;
}

/** Usage and the provider-reported charge of one extraction; returns it unchanged when sound. */
export function checkExtraction(x: UsageExtraction): UsageExtraction {
  checkUsage(x.usage);
  if (x.tier_basis_tokens !== undefined && x.tier_basis_tokens !== null) checkTokenCount('tier_basis_tokens', x.tier_basis_tokens);
  if (x.provider_cost_usd !== undefined) {
    const problem = callCostProblem(Decimal.tryParse(x.provider_cost_usd));
    if (problem !== undefined) throw new ProviderPayloadError(`provider-reported cost ${describe(x.provider_cost_usd)} ${problem}`);
  }
  return x;
}

function describe(v: unknown): string {
  const s = typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
