/**
 * 001: the ledger on PostgreSQL.
 *
 * - `ledger` is range-partitioned by started_at, one partition per UTC month, created on demand
 *   by the store as records for a new month arrive (src/store/postgres/pg-partitions.ts). Queries
 *   with a time range touch only their months, and retention drops whole months.
 * - A partitioned table's unique constraints must include the partition key, so `id` alone cannot
 *   be unique on it. `ledger_ids` (id PRIMARY KEY) is the idempotency guard: a batch inserts its
 *   ids there ON CONFLICT DO NOTHING and only the ids that went in reach the ledger, in the same
 *   statement. It also maps id → started_at, which lets re-pricing find a record's partition.
 * - `ledger_rollup_hourly` is kept current in that same statement: sums per UTC hour over the
 *   dimensions dashboards group by most. getSpend answers from it when a query only uses those
 *   dimensions on hour-aligned bounds. Retention takes deleted records out of it (pg-ledger-sql.ts).
 * - Money is NUMERIC(38,18) (exact); ids and text compared with COLLATE "C" so ordering matches
 *   the embedded store byte for byte.
 */
export const ROLLUP_DIMENSIONS = ['team', 'project', 'feature', 'env', 'provider', 'model', 'status'] as const;

const money = (name: string): string => `  cost_${name} NUMERIC(38,18)`;

export const name = 'ledger';
export const sql = `
CREATE TABLE ledger (
  id TEXT COLLATE "C" NOT NULL,
  source TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  ended_at TIMESTAMPTZ,
  duration_ms DOUBLE PRECISION,
  ttft_ms DOUBLE PRECISION,
  provider TEXT NOT NULL,
  api TEXT,
  model_requested TEXT,
  model TEXT,
  status TEXT NOT NULL,
  http_status INTEGER,
  stream BOOLEAN NOT NULL,
  input_tokens BIGINT,
  cache_read_tokens BIGINT,
  cache_write_tokens BIGINT,
  cache_write_1h_tokens BIGINT,
  output_tokens BIGINT,
  reasoning_tokens BIGINT,
  audio_input_tokens BIGINT,
  audio_cache_read_tokens BIGINT,
  audio_output_tokens BIGINT,
  image_input_tokens BIGINT,
  web_search_calls BIGINT,
  usage_source TEXT,
${['total', 'input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools', 'other'].map(money).join(',\n')},
  cost_currency TEXT,
  cost_source TEXT,
  priced BOOLEAN NOT NULL,
  price_version TEXT,
  team TEXT,
  project TEXT,
  feature TEXT,
  customer TEXT,
  "user" TEXT,
  env TEXT,
  agent TEXT,
  prompt_version TEXT,
  priority TEXT,
  tags JSONB NOT NULL,
  key_id TEXT,
  trace_id TEXT,
  span_id TEXT,
  error TEXT,
  raw_usage TEXT,
  usage_version INTEGER,
  unpriced_reason TEXT
) PARTITION BY RANGE (started_at);

CREATE INDEX ledger_started_id ON ledger (started_at, id);
CREATE INDEX ledger_trace ON ledger (trace_id) WHERE trace_id IS NOT NULL;

CREATE TABLE ledger_ids (
  id TEXT COLLATE "C" PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_ids_started ON ledger_ids (started_at);

CREATE TABLE ledger_rollup_hourly (
  hour TIMESTAMPTZ NOT NULL,
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
CREATE UNIQUE INDEX ledger_rollup_hourly_key ON ledger_rollup_hourly (hour, ${ROLLUP_DIMENSIONS.join(', ')}) NULLS NOT DISTINCT;
`;
