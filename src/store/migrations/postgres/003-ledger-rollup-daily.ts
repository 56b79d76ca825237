/**
 * 003: a daily rollup beside the hourly one (same dimensions and sums, UTC days). A month of
 * team-by-day spend reads ~30 rows per dimension combination instead of ~720; the hourly rollup
 * still answers zone-aware buckets. Back-filled from the hourly rollup for existing ledgers.
 */
import { ROLLUP_DIMENSIONS } from './001-ledger.js';

const dims = ROLLUP_DIMENSIONS.join(', ');
export const name = 'ledger_rollup_daily';
export const sql = `
CREATE TABLE ledger_rollup_daily (
  day TIMESTAMPTZ NOT NULL,
${ROLLUP_DIMENSIONS.map((d) => `  ${d} TEXT,`).join('\n')}
  cost NUMERIC(38,18),
  requests BIGINT NOT NULL,
  unpriced BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  reasoning_tokens BIGINT NOT NULL
);
CREATE UNIQUE INDEX ledger_rollup_daily_key ON ledger_rollup_daily (day, ${dims}) NULLS NOT DISTINCT;
INSERT INTO ledger_rollup_daily
SELECT date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', ${dims}, sum(cost), sum(requests), sum(unpriced),
  sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens), sum(reasoning_tokens)
FROM ledger_rollup_hourly GROUP BY 1, ${dims};
`;
