/**
 * 005: the hourly rollup of the embedded ledger (issue 15). Sums per UTC hour over the dimensions
 * the dashboard and most spend reports group and filter by; `getSpend` and `getOverview` read it
 * whenever a query only touches those dimensions (src/store/embedded/duckdb-rollup.ts). The store
 * keeps it exactly equal to the raw ledger in the same transaction as every ledger write: batch
 * inserts and imports add their sums, re-pricing adds the cost difference, retention subtracts
 * what it deletes. Money stays DECIMAL(38,18); a cost of 0 with `unpriced` counted is how a row of
 * unpriced calls sums (the raw query's NULL sum reads as 0 as well).
 *
 * The dimensions are PostgreSQL's. `customer` stays out: with it, keys per hour multiply by the
 * number of customers, and on synthetic traffic at 1M records the rollup was as large as the
 * ledger and slower to read than it (bench/spend.bench.ts). Queries by customer read raw rows.
 */
export const ROLLUP_DIMENSIONS = ['team', 'project', 'feature', 'env', 'provider', 'model', 'status'] as const;
export const ROLLUP_TOKENS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens'] as const;

/** The rollup's sums over ledger rows (used by the back-fill below and by every ingest). */
export const ROLLUP_INGEST_SUMS = [
  'coalesce(sum(cost_total), 0)::DECIMAL(38,18) AS cost',
  'count(*)::BIGINT AS requests',
  'count(*) FILTER (WHERE cost_total IS NULL AND input_tokens IS NOT NULL)::BIGINT AS unpriced',
  ...ROLLUP_TOKENS.map((c) => `coalesce(sum(${c}), 0)::BIGINT AS ${c}`),
];

const dims = ROLLUP_DIMENSIONS.map((d) => `"${d}"`).join(', ');
export const name = 'ledger_rollup_hourly';
export const sql = `
CREATE TABLE ledger_rollup_hourly (
  hour TIMESTAMP NOT NULL,
${ROLLUP_DIMENSIONS.map((d) => `  "${d}" VARCHAR,`).join('\n')}
  cost DECIMAL(38,18) NOT NULL,
  requests BIGINT NOT NULL,
  unpriced BIGINT NOT NULL,
${ROLLUP_TOKENS.map((c) => `  ${c} BIGINT NOT NULL`).join(',\n')}
);
INSERT INTO ledger_rollup_hourly
SELECT date_trunc('hour', started_at) AS hour, ${dims}, ${ROLLUP_INGEST_SUMS.join(', ')}
FROM ledger GROUP BY ALL ORDER BY hour;
`;
