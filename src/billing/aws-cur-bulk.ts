/**
 * The AWS CUR importer's bulk path: one DuckDB statement reads the export (CSV or Parquet), keeps
 * the Bedrock lines and maps them to billed lines — usage type to model and token class, pricing
 * unit to a token count, line item type to charge kind, amounts to DECIMAL(38,18) — and writes them
 * as a Parquet scratch file that the store loads in one statement (store.billed.appendParquet). No
 * JavaScript runs per line: a 5M-line CUR is one parallel scan of the file and a few passes over its Bedrock lines.
 *
 * The SQL takes only lines of the plain shapes real exports have (decimals without exponents,
 * ISO 8601 instants DuckDB and `instantField` read alike, known line types, tags that are text or a
 * JSON object). Every other Bedrock line — a bad one or an odd one — goes through the JavaScript
 * mapping in aws-cur.ts, so the reasons a bad line gets and the values an odd one gets are exactly
 * those of the per-line importer; the SQL never has to agree with it on anything it is unsure of.
 */
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BulkParse, ParsedRow } from './billing-parser.js';
import { CUR_FIELDS, CUR_KINDS, BEDROCK_PRODUCTS, curRowToLine } from './aws-cur.js';
import { isParquet, type TableRow } from './tabular-file.js';

export type CurBulkResult = BulkParse;

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`;
/** Trimmed text, '' as NULL (billed-line-fields `text`). */
const t = (f: string): string => `NULLIF(trim(${ident(f)}), '')`;

/** Plain decimals only (no exponent, no sign but '-', ≤ 20 integer and ≤ 18 fraction digits: DECIMAL(38,18) holds them exactly). */
const PLAIN_DECIMAL = String.raw`-?\d{1,20}(\.\d{1,18})?`;
/** DuckDB casts VARCHAR to DECIMAL(18,9) ~3× faster than to DECIMAL(38,18): narrow values take that road. */
const NARROW_DECIMAL = String.raw`-?\d{1,9}(\.\d{1,9})?`;
/** instantField's ISO 8601 shapes that DuckDB reads the same way (zone Z, ±HH or ±HH:MM; ≤ 6 fraction digits). */
const PLAIN_INSTANT = String.raw`\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:\d{2})?)?)?`;
/** normaliseQuantity's block units ("1K tokens"; case matters for the base as it does there). */
const UNIT = String.raw`^\s*(\d+(?:\.\d+)?)?\s*([KkMm])?\s*(tokens?|characters?|requests?)?\s*$`;
/** parseBedrockUsageType's two patterns. */
const REGION = String.raw`^[A-Z]{2,4}\d?-`;
const TOKENS = String.raw`(?i)^(.*?)-(?:mantle-)?(cache-read|cache-write|input|output)(?:-input)?-tokens?(?:-count)?(?:-.*)?$`;

function source(file: string): string {
  return isParquet(file) ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header = true, all_varchar = true, auto_detect = true, strict_mode = false, quote = '"', escape = '"')`;
}

/**
 * Layer 1, over `bedrock` (trimmed text by CUR_FIELDS name, plus `line` and `body`): every regular
 * expression and cast evaluated once per line (materialised, so later layers reuse the results).
 */
function parsedSelect(): string {
  const kindCase = `CASE coalesce(type, 'Usage') ${Object.entries(CUR_KINDS)
    .map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ')} END`;
  const jsonTeam = (key: string): string => `CASE WHEN json_type(tags, '$.${key}') = 'VARCHAR' THEN NULLIF(json_extract_string(tags, '$.${key}'), '') END`;
  const instant = (f: string, name: string): string => `CASE WHEN regexp_full_match(${f}, '${PLAIN_INSTANT}') THEN TRY_CAST(${f} AS TIMESTAMPTZ) END AS ${name}`;
  const money = (f: string): string => `regexp_full_match(${f}, '${PLAIN_DECIMAL}') AS ${f}_plain, regexp_full_match(${f}, '${NARROW_DECIMAL}') AS ${f}_narrow`;
  return `SELECT *, ${kindCase} AS kind,
      regexp_extract(unit, '${UNIT}', ['num', 'scale', 'base']) AS u,
      regexp_extract(body, '${TOKENS}', ['model', 'cls']) AS tok,
      ${money('cost')}, ${money('amount')}, ${instant('start', 'start_ts')}, ${instant('"end"', 'end_ts')}, ${instant('period', 'period_ts')},
      CASE WHEN tags IS NULL THEN NULL WHEN NOT (starts_with(tags, '{') OR starts_with(tags, '[')) THEN tags
           WHEN starts_with(tags, '{') AND json_valid(tags) THEN coalesce(${jsonTeam('team')}, ${jsonTeam('user_team')}, ${jsonTeam('"user:team"')}) END AS team,
      (tags IS NULL OR NOT starts_with(tags, '[') AND (NOT starts_with(tags, '{') OR json_valid(tags))) AS tags_ok
    FROM bedrock`;
}

/** A block unit applies when the amount is there and the unit names a number or a K/M scale (normaliseQuantity). */
const SCALED = `(amount IS NOT NULL AND (u.num <> '' OR u.scale <> ''))`;

/** Which parsed rows the SQL may finish (the rest go to the per-line importer). */
const FAST = `kind IS NOT NULL
  AND cost IS NOT NULL AND cost_plain
  AND (amount IS NULL OR amount_plain)
  AND (NOT ${SCALED} OR (amount_narrow AND regexp_full_match(u.num, '\\d{0,4}')))
  AND start_ts IS NOT NULL AND end_ts IS NOT NULL AND (period IS NULL OR period_ts IS NOT NULL) AND tags_ok`;

const decimal = (f: string): string => `CASE WHEN ${f}_narrow THEN CAST(CAST(${f} AS DECIMAL(18,9)) AS DECIMAL(38,18)) ELSE CAST(${f} AS DECIMAL(38,18)) END`;
const FACTOR = `CAST(coalesce(NULLIF(u.num, ''), '1') AS BIGINT) * CASE lower(u.scale) WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000 ELSE 1 END`;
const IS_USAGE_TYPE = `kind = 'usage' AND usage_type IS NOT NULL`;

/** Layer 2: the billed line columns (store.billed.appendParquet) of a fast row. */
const LINE_SELECT = `line,
  'bedrock' AS provider,
  coalesce(principal, account) AS account,
  product AS service,
  CASE WHEN ${IS_USAGE_TYPE} THEN lower(NULLIF(CASE WHEN tok.cls <> '' THEN regexp_replace(tok.model, '(?i)-mantle$', '') ELSE body END, '')) END AS model,
  kind AS charge_kind,
  CASE WHEN ${IS_USAGE_TYPE} AND tok.cls <> '' THEN replace(lower(tok.cls), '-', '_') END AS token_class,
  CASE WHEN amount IS NULL THEN NULL WHEN ${SCALED} THEN CAST(${decimal('amount')} * CAST(${FACTOR} AS DECIMAL(18,0)) AS DECIMAL(38,18)) ELSE ${decimal('amount')} END AS quantity,
  CASE WHEN ${SCALED} THEN lower(coalesce(NULLIF(u.base, ''), 'tokens')) ELSE unit END AS unit,
  ${decimal('cost')} AS amount,
  upper(coalesce(currency, 'USD')) AS currency,
  CASE WHEN upper(coalesce(currency, 'USD')) = 'USD' THEN ${decimal('cost')} END AS amount_usd,
  epoch_ms(start_ts) AS charge_start,
  epoch_ms(end_ts) AS charge_end,
  strftime(coalesce(period_ts, start_ts) AT TIME ZONE 'UTC', '%Y-%m') AS invoice_period,
  team,
  coalesce(description, usage_type) AS description`;

/**
 * Reads `file`, writes the lines the SQL maps to `<scratchDir>/cur-lines.parquet` and maps the rest
 * per line. `onProgress` hears the row count once the file has been counted.
 */
export async function mapCurInBulk(file: string, scratchDir: string, onProgress?: (rowsRead: number) => void): Promise<CurBulkResult> {
  const instance = await DuckDBInstance.create(':memory:', { temp_directory: path.join(scratchDir, 'duckdb-tmp') });
  const conn = await instance.connect();
  try {
    // Instants without a zone are UTC (instantField); DuckDB would read them in the machine's zone.
    await conn.run("SET TimeZone = 'UTC'");
    const src = source(file);
    const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`);
    const present = new Map(described.getRowObjects().map((o) => [String(o['column_name']).toLowerCase(), String(o['column_name'])]));
    const columnOf = (aliases: readonly string[]): string | undefined => aliases.map((a) => present.get(a.toLowerCase())).find((c) => c !== undefined);
    const fields = Object.entries(CUR_FIELDS).map(([name, aliases]) => {
      const col = columnOf(aliases);
      return { name, expr: col === undefined ? 'CAST(NULL AS VARCHAR)' : `CAST(${ident(col)} AS VARCHAR)` };
    });
    const productCol = columnOf(CUR_FIELDS.product);
    if (productCol === undefined) {
      const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRows()[0]?.[0] ?? 0);
      onProgress?.(total);
      return { rows: total, skipped: total, mappedFile: null, mappedLines: 0, firstMapped: null, perLine: [] };
    }
    // One parallel scan of the file into a table (insertion order kept, so rowid + 2 is the file
    // line); other services' rows keep only their flag.
    const keep = `${ident(productCol)} IN (${[...BEDROCK_PRODUCTS].map(sqlString).join(', ')})`;
    await conn.run(`CREATE TEMP TABLE cur_file AS SELECT ${keep} AS "__keep", ${fields.map((f) => `CASE WHEN ${keep} THEN ${f.expr} END AS ${ident(f.name)}`).join(', ')} FROM ${src}`);
    const total = Number((await conn.runAndReadAll('SELECT count(*) FROM cur_file')).getRows()[0]?.[0] ?? 0);
    onProgress?.(total);
    const trimmed = fields.map((f) => `${t(f.name)} AS ${ident(f.name)}`);
    await conn.run(`CREATE TEMP TABLE bedrock AS SELECT rowid + 2 AS line, ${trimmed.join(', ')}, regexp_replace(${t('usage_type')}, '${REGION}', '') AS body FROM cur_file WHERE "__keep"`);
    await conn.run('DROP TABLE cur_file');
    await conn.run(`CREATE TEMP TABLE parsed AS SELECT *, ${FAST} AS fast FROM (${parsedSelect()})`);
    await conn.run('DROP TABLE bedrock');
    const kept = Number((await conn.runAndReadAll('SELECT count(*) FROM parsed')).getRows()[0]?.[0] ?? 0);

    const [first] = (await conn.runAndReadAll('SELECT line, payer, count(*) OVER () FROM parsed WHERE fast ORDER BY line LIMIT 1')).getRows();
    const mappedLines = first ? Number(first[2]) : 0;
    let mappedFile: string | null = null;
    if (mappedLines > 0) {
      mappedFile = path.join(scratchDir, 'cur-lines.parquet');
      await conn.run(`COPY (SELECT ${LINE_SELECT} FROM parsed WHERE fast) TO ${sqlString(mappedFile)} (FORMAT parquet)`);
    }

    // The rest, as the per-line importer reads them (text fields by CUR_FIELDS name).
    const perLine: ParsedRow[] = [];
    const names = Object.keys(CUR_FIELDS);
    const slow = await conn.runAndReadAll(`SELECT line, ${names.map(ident).join(', ')} FROM parsed WHERE NOT fast ORDER BY line`);
    for (const o of slow.getRowObjects()) {
      const row: TableRow = {};
      for (const name of names) {
        const v = o[name];
        row[name] = v === null || v === undefined ? null : String(v);
      }
      perLine.push(curRowToLine(Number(o['line']), row));
    }
    return {
      rows: total,
      skipped: total - kept,
      mappedFile,
      mappedLines,
      firstMapped: first ? { line: Number(first[0]), billingAccount: first[1] === null || first[1] === undefined ? null : String(first[1]) } : null,
      perLine,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
