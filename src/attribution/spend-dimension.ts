/**
 * The vocabulary every spend question is asked in, declared once: a spend dimension is a ledger
 * column one can group or filter by (an attribution field, `provider`, `model`, `model_requested`,
 * `api`, `status`, `source`, `key_id`, `trace_id`) or `tag:NAME` (a request tag). The store, the
 * API's query parameters, alerts and budgets' scopes all use these names.
 */
export const SPEND_COLUMNS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority', 'provider', 'model', 'model_requested', 'api', 'status', 'source', 'key_id', 'trace_id'] as const;

export type SpendColumn = (typeof SPEND_COLUMNS)[number];

/** A request tag as a dimension: `tag:NAME`. */
export type TagDimension = `tag:${string}`;

export type SpendDimension = SpendColumn | TagDimension;

const TAG_DIMENSION = /^tag:[A-Za-z0-9_.-]{1,64}$/;

export function isTagDimension(d: string): d is TagDimension {
  return TAG_DIMENSION.test(d);
}

export function isSpendDimension(d: string): d is SpendDimension {
  return (SPEND_COLUMNS as readonly string[]).includes(d) || isTagDimension(d);
}
