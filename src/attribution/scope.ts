/**
 * A scope is the set of ledger fields a budget, rate limit, alert, annotation or scoped API token is
 * about, all of which must match: `{}` is all spend, `{ team: "search" }` one team, `{ key_id: "k1" }`
 * one key. Keys are spend dimensions (each surface validates which ones it accepts at its edge); kept
 * a string record so scopes read back from storage and JSON need no cast.
 */
export type Scope = Record<string, string>;
