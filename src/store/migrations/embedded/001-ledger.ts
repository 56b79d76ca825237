/**
 * 001: the ledger table. One column per record field so a FinOps group-by (team x model x day)
 * reads only the columns it needs. Money is DECIMAL(38,18): exact, 20 integer digits, and 18
 * fraction digits cover per-token prices of $0.01/MTok (1e-8) with room to spare. Tags, the
 * error and the provider's raw usage are JSON text: open-ended shapes, read whole, rarely grouped.
 * No secondary indexes: DuckDB's zone maps already skip row groups outside a started_at range,
 * and ART indexes cost memory per row.
 */
const money = (name: string): string => `  cost_${name} DECIMAL(38,18)`;

export const name = 'ledger';
export const sql = `
CREATE TABLE ledger (
  id VARCHAR PRIMARY KEY,
  source VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  ended_at TIMESTAMP,
  duration_ms DOUBLE,
  ttft_ms DOUBLE,
  provider VARCHAR NOT NULL,
  api VARCHAR,
  model_requested VARCHAR,
  model VARCHAR,
  status VARCHAR NOT NULL,
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
  usage_source VARCHAR,
${['total', 'input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools', 'other'].map(money).join(',\n')},
  cost_currency VARCHAR,
  cost_source VARCHAR,
  priced BOOLEAN NOT NULL,
  price_version VARCHAR,
  team VARCHAR,
  project VARCHAR,
  feature VARCHAR,
  customer VARCHAR,
  "user" VARCHAR,
  env VARCHAR,
  agent VARCHAR,
  prompt_version VARCHAR,
  priority VARCHAR,
  tags VARCHAR NOT NULL,
  key_id VARCHAR,
  trace_id VARCHAR,
  span_id VARCHAR,
  error VARCHAR,
  raw_usage VARCHAR,
  usage_version INTEGER,
  unpriced_reason VARCHAR
);
`;
