/**
 * Every environment variable Costrail reads, declared once. docs/configuration.md's table is
 * generated from this list (`npm run docs`), and a test checks that the source reads no variable
 * that is not declared here. Markdown cells are kept as the page shows them.
 */
export interface EnvVarDoc {
  /** The variables of this row; empty for a row that describes names chosen by the operator. */
  names: readonly string[];
  /** Shown instead of the names (variables named in the config file). */
  label?: string;
  default: string;
  meaning: string;
}

export const ENV_VARS: readonly EnvVarDoc[] = [
  { names: ['COSTRAIL_PORT'], default: '`4100`', meaning: 'port of `serve` / `demo` (`--port`)' },
  { names: ['COSTRAIL_HOST'], default: '`127.0.0.1`', meaning: 'interface `serve` listens on (`--host`; `0.0.0.0` for every interface)' },
  { names: ['COSTRAIL_DATA'], default: '`./.costrail`', meaning: 'data folder: embedded ledger, spool, master key, admin token, imported prices (`--data`)' },
  { names: ['COSTRAIL_CONFIG'], default: '—', meaning: 'config file, YAML or JSON (`--config`)' },
  { names: ['COSTRAIL_ADMIN_TOKEN'], default: 'created on first start', meaning: 'admin token for `/api` and the dashboard; unset, `serve` creates one, keeps it in the data folder (`admin-token`) and prints it once. CLI commands use it to reach a running server' },
  { names: ['COSTRAIL_DATABASE_URL'], default: '— (embedded DuckDB)', meaning: '`postgres://…`: keep the ledger and configuration in PostgreSQL instead of the data folder' },
  { names: ['COSTRAIL_DATABASE_SCHEMA'], default: 'the connection\'s default (`public`)', meaning: 'PostgreSQL schema to use' },
  { names: ['COSTRAIL_REDIS_URL'], default: '— (in-process counters)', meaning: '`redis://…`: budget, rate-limit and kill-switch counters shared by several processes, and the response cache\'s answers when `cache.enabled` (docs/caching.md)' },
  { names: ['COSTRAIL_REDIS_PREFIX'], default: '`costrail:`', meaning: 'prefix of every Redis key (several deployments on one Redis)' },
  { names: ['COSTRAIL_REDIS_TIMEOUT_MS'], default: '`1000`', meaning: 'per-operation Redis timeout; past it each rule\'s `on_counter_error` (`open` / `closed`) decides' },
  { names: ['COSTRAIL_POLICY_SYNC_MS'], default: '`1000`', meaning: 'how often a process checks the store\'s policy revision and reloads budgets, rate limits and kill switches changed elsewhere (the fallback when Redis pub/sub missed a change; replicas converge within 5 s)' },
  { names: ['COSTRAIL_PUBLIC_METRICS'], default: 'off', meaning: '`true`/`1`/`yes` serves `GET /metrics` without a token (config `metrics.public`); otherwise it needs the admin token' },
  { names: ['COSTRAIL_RESERVATION_CEILING_USD'], default: '`5`', meaning: 'most a single call reserves against a USD budget before it runs (unpriced models reserve this)' },
  { names: ['COSTRAIL_MASTER_KEY'], default: '`<data>/master-key` (created, mode 0600)', meaning: '32 bytes, base64 or hex (`openssl rand -base64 32`): encrypts provider credentials at rest. Instances sharing a PostgreSQL database must share it' },
  { names: ['COSTRAIL_PASS_THROUGH'], default: '`auto`', meaning: '`true`: clients\' own provider keys keep working alongside virtual keys; `false`: only virtual keys; `auto`: pass-through until the first virtual key exists. Overrides `keys.pass_through`' },
  { names: ['COSTRAIL_RETENTION_DAYS'], default: '— (keep everything)', meaning: 'delete raw ledger records older than N days, daily (`--retention-days`, `retention_days`)' },
  { names: ['COSTRAIL_LOG_LEVEL'], default: '`info`', meaning: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`; logs are JSON lines on stderr' },
  { names: ['COSTRAIL_ACCESS_LOG'], default: '`debug`', meaning: 'level of the one access line per gateway call (`info` to see them at the default level, `off` for none)' },
  { names: ['COSTRAIL_OTEL_ATTRIBUTES'], default: '— (the default mapping)', meaning: 'span/resource attribute names read first for each attribution key of `POST /v1/traces` and `import otel`, e.g. `customer=app.tenant_id,team=org.team|my.team` (docs/otel.md)' },
  { names: ['COSTRAIL_<PROVIDER>_BASE_URL'], default: 'the public endpoint', meaning: 'where a provider\'s calls go, in its official SDK\'s convention: `COSTRAIL_OPENAI_BASE_URL` (`https://api.openai.com/v1`), `COSTRAIL_ANTHROPIC_BASE_URL` (`https://api.anthropic.com`), `COSTRAIL_GEMINI_BASE_URL` (`https://generativelanguage.googleapis.com`), `COSTRAIL_AZURE_BASE_URL` (`https://<resource>.openai.azure.com`, required for Azure), `COSTRAIL_BEDROCK_BASE_URL` (default `https://bedrock-runtime.<region>.amazonaws.com`), `COSTRAIL_VERTEX_BASE_URL`, `_MISTRAL_`, `_DEEPSEEK_`, `_XAI_`, `_GROQ_`, `_TOGETHER_`, `_OPENROUTER_`, `_COHERE_`; for a provider named in the config, its upper-cased name with `-` as `_`' },
  { names: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'], default: '—', meaning: 'credentials Bedrock calls are signed with when `providers.bedrock` has none' },
  { names: ['AWS_REGION', 'AWS_DEFAULT_REGION'], default: '`us-east-1`', meaning: 'Bedrock region when `providers.bedrock.region` is not set' },
  { names: [], label: 'any name in `api_key_env` / `provider_credentials.*.env`', default: '—', meaning: 'provider keys the config file points at (below); read once at start' },
  { names: ['COSTRAIL_URL', 'COSTRAIL_TOKEN'], default: '—', meaning: 'where the package\'s `recordOutcome()` helper and the SDK (`instrument()`: records, admission) send, and the admin or scoped API token they send (falls back to `COSTRAIL_ADMIN_TOKEN`); options passed to them win' },
  { names: ['COSTRAIL_OPENAI_ADMIN_KEY', 'COSTRAIL_ANTHROPIC_ADMIN_KEY'], default: '— (no pulls)', meaning: 'admin keys for the providers\' cost APIs: `costrail billing pull`, and `serve` pulls the last two days daily (docs/billing.md). Sent only to the admin base URL, never logged' },
  { names: ['COSTRAIL_OPENAI_ADMIN_BASE_URL', 'COSTRAIL_ANTHROPIC_ADMIN_BASE_URL'], default: 'the provider\'s `COSTRAIL_<PROVIDER>_BASE_URL`, else the public endpoint', meaning: 'where the admin cost APIs are (OpenAI up to `/v1`, Anthropic its origin)' },
  { names: ['COSTRAIL_OTEL_EXPORT_ENDPOINT'], default: '— (off)', meaning: 'OTLP/HTTP traces URL (e.g. `http://collector:4318/v1/traces`) to which the gateway exports one span per call with `costrail.cost_usd` and `gen_ai.usage.*` attributes (docs/otel.md)' },
  { names: ['COSTRAIL_OTEL_EXPORT_HEADERS'], default: '—', meaning: 'headers for that export, `key=value,key2=value2` (values URL-encoded), e.g. a collector or vendor API key' },
  { names: ['COSTRAIL_SDK_SPOOL_DIR'], default: '`<tmpdir>/costrail-sdk-spool`', meaning: 'where the SDK (`instrument()`) spools record batches the Costrail server could not take, replayed when it answers again (docs/sdk.md)' },
  { names: ['COSTRAIL_SDK_ADMISSION'], default: 'off', meaning: '`on`: SDK-instrumented calls ask `POST /api/admission` first (budgets, rate limits, kill switches), as `instrument(client, { admission: true })` does' },
  { names: ['COSTRAIL_EVAL_API_KEY'], default: '—', meaning: 'the key `costrail eval replay` sends with replayed calls (a virtual key, or a provider key in pass-through mode), instead of `--api-key`; held in memory for the run only' },
  { names: ['COSTRAIL_SIM_PORT'], default: '`0` (any free port)', meaning: 'port of the stand-alone simulated provider (`node dist/src/simulator/main.js`), for development' },
];

/** Names declared above (patterns such as `COSTRAIL_<PROVIDER>_BASE_URL` included as written). */
export function declaredEnvNames(): string[] {
  return ENV_VARS.flatMap((v) => v.names);
}

export const ENV_TABLE_HEADER = '| variable | default | meaning |\n|---|---|---|';

/** The Markdown table docs/configuration.md shows under "Environment variables". */
export function renderEnvTable(): string {
  const rows = ENV_VARS.map((v) => `| ${v.label ?? v.names.map((n) => `\`${n}\``).join(', ')} | ${v.default} | ${v.meaning} |`);
  return [ENV_TABLE_HEADER, ...rows].join('\n');
}

/** `page` with its environment table replaced by the generated one (the rest is hand-written). */
export function withEnvTable(page: string): string {
  const start = page.indexOf(ENV_TABLE_HEADER);
  if (start < 0) throw new Error('docs/configuration.md: no environment variable table');
  const end = page.indexOf('\n\n', start);
  return page.slice(0, start) + renderEnvTable() + (end < 0 ? '\n' : page.slice(end));
}
