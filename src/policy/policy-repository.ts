/**
 * Where policy rules persist: one domain table beside the ledger (same engine, portable SQL).
 * Each rule is stored whole as its validated JSON, keyed by kind and id, so adding a field to a
 * rule needs no migration.
 */
import type { Store } from '../store/store.js';
import { numberOf, textOf, type DomainMigration } from '../store/sql.js';
import { emptyRules, type PolicyKind, type PolicyRules } from './policy-schemas.js';

export const POLICY_MIGRATIONS: readonly DomainMigration[] = [
  {
    version: 1,
    name: 'policy rules',
    duckdb: 'CREATE TABLE IF NOT EXISTS policy_rules (kind VARCHAR NOT NULL, id VARCHAR NOT NULL, spec VARCHAR NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (kind, id))',
    postgres: 'CREATE TABLE IF NOT EXISTS policy_rules (kind TEXT NOT NULL, id TEXT NOT NULL, spec TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (kind, id))',
  },
  {
    // One row counting rule changes: replicas poll it (one tiny read a second) instead of relying
    // on pub/sub alone, so a change made while Redis was down still reaches them.
    version: 2,
    name: 'policy revision',
    duckdb: 'CREATE TABLE IF NOT EXISTS policy_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL); INSERT INTO policy_revision VALUES (1, 0) ON CONFLICT DO NOTHING',
    postgres: 'CREATE TABLE IF NOT EXISTS policy_revision (id INTEGER PRIMARY KEY, revision BIGINT NOT NULL); INSERT INTO policy_revision VALUES (1, 0) ON CONFLICT DO NOTHING',
  },
  {
    // Thresholds of vendor / category budgets already announced, per budget, period and
    // fraction: kept in the store (not the counters) so a re-import, a restart or a second
    // replica never announces the same threshold twice.
    version: 3,
    name: 'imported-spend budget thresholds',
    duckdb: 'CREATE TABLE IF NOT EXISTS budget_threshold_claim (claim_key VARCHAR PRIMARY KEY, claimed_at BIGINT NOT NULL)',
    postgres: 'CREATE TABLE IF NOT EXISTS budget_threshold_claim (claim_key TEXT PRIMARY KEY, claimed_at BIGINT NOT NULL)',
  },
];

const LIST_OF: Record<PolicyKind, keyof PolicyRules> = {
  budget: 'budgets',
  rate_limit: 'rateLimits',
  kill_switch: 'killSwitches',
  allow_list: 'allowLists',
  trace_guard: 'traceGuards',
};

export function listOf(kind: PolicyKind): keyof PolicyRules {
  return LIST_OF[kind];
}

export class PolicyRepository {
  constructor(private readonly store: Store) {}

  async migrate(): Promise<void> {
    await this.store.migrateDomain('policy', POLICY_MIGRATIONS);
  }

  async load(): Promise<PolicyRules> {
    const rules = emptyRules();
    const rows = await this.store.sql.query('SELECT kind, spec, created_at FROM policy_rules ORDER BY created_at, id');
    for (const r of rows) {
      const kind = textOf(r['kind']) as PolicyKind;
      const list = LIST_OF[kind];
      if (!list) continue;
      (rules[list] as unknown[]).push(JSON.parse(textOf(r['spec']) ?? '{}'));
    }
    return rules;
  }

  async upsert(kind: PolicyKind, id: string, spec: unknown, now: number): Promise<void> {
    await this.store.sql.execute(
      'INSERT INTO policy_rules (kind, id, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (kind, id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at',
      [kind, id, JSON.stringify(spec), now],
    );
  }

  async remove(kind: PolicyKind, id: string): Promise<boolean> {
    return (await this.store.sql.execute('DELETE FROM policy_rules WHERE kind = $1 AND id = $2', [kind, id])) > 0;
  }

  /** Counts one more change; called after the rule's own write, so a reader that sees it also sees the rule. */
  async bumpRevision(): Promise<void> {
    await this.store.sql.execute('UPDATE policy_revision SET revision = revision + 1 WHERE id = 1');
  }

  async revision(): Promise<number> {
    const rows = await this.store.sql.query('SELECT revision FROM policy_revision WHERE id = 1');
    return rows[0] ? (numberOf(rows[0]['revision']) ?? 0) : 0;
  }

  /** Claims a threshold announcement; true for the one caller that claimed it first. */
  async claimThreshold(key: string, now: number): Promise<boolean> {
    return (await this.store.sql.execute('INSERT INTO budget_threshold_claim (claim_key, claimed_at) VALUES ($1, $2) ON CONFLICT (claim_key) DO NOTHING', [key, now])) > 0;
  }

  async createdAt(kind: PolicyKind, id: string): Promise<number | null> {
    const rows = await this.store.sql.query('SELECT created_at FROM policy_rules WHERE kind = $1 AND id = $2', [kind, id]);
    return rows[0] ? numberOf(rows[0]['created_at']) : null;
  }
}
