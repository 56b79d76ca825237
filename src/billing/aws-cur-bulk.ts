/**
 * The AWS CUR importer's bulk path: one DuckDB statement reads the export (CSV or Parquet), keeps
 * the Bedrock lines and maps them to billed lines — usage type to model and token class, pricing
 * unit to a token count, line item type to charge kind, amounts to DECIMAL(38,18) — and writes them
 * as a Parquet scratch file that the store loads in one statement (store.billed.appendParquet). No
 * JavaScript runs per line: a 5M-line CUR is three scans of the file in DuckDB's C++ readers.
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
/** DuckDB casts VARCHAR to DECIMAL(18,9) ~30× faster than to DECIMAL(38,18): narrow values take that road. */
const NARROW_DECIMAL = String.raw`-?\d{1,9}(\.\d{1,9})?`;
const decimal = (e: string): string => `CASE WHEN regexp_full_match(${e}, '${NARROW_DECIMAL}') THEN CAST(CAST(${e} AS DECIMAL(18,9)) AS DECIMAL(38,18)) ELSE CAST(${e} AS DECIMAL(38,18)) END`;
/** instantField's ISO 8601 shapes that DuckDB reads the same way (zone Z, ±HH or ±HH:MM; ≤ 6 fraction digits). */
const PLAIN_INSTANT = String.raw`\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:\d{2})?)?)?`;
const instantOk = (e: string): string => `(regexp_full_match(${e}, '${PLAIN_INSTANT}') AND TRY_CAST(${e} AS TIMESTAMPTZ) IS NOT NULL)`;
/** normaliseQuantity's block units ("1K tokens", "1000 Tokens" is not one: case matters there too). */
const UNIT = String.raw`^\s*(\d+(?:\.\d+)?)?\s*([KkMm])?\s*(tokens?|characters?|requests?)?\s*$`;
/** parseBedrockUsageType's two patterns. */
const REGION = String.raw`^[A-Z]{2,4}\d?-`;
const TOKENS = String.raw`(?i)^(.*?)-(?:mantle-)?(cache-read|cache-write|input|output)(?:-input)?-tokens?(?:-count)?(?:-.*)?$`;

function source(file: string): string {
  return isParquet(file) ? `read_parquet(${sqlString(file)})` : `read_csv(${sqlString(file)}, header = true, all_varchar = true, auto_detect = true, strict_mode = false, quote = '"', escape = '"')`;
}

/** The mapping, over `bedrock` (the CUR_FIELDS as trimmed-or-raw text plus `line`). */
function mappedSelect(): string {
  const kindCase = `CASE coalesce(${t('type')}, 'Usage') ${Object.entries(CUR_KINDS)
    .map(([k, v]) => `WHEN ${sqlString(k)} THEN ${sqlString(v)}`)
    .join(' ')} END`;
  const body = `regexp_replace(${t('usage_type')}, '${REGION}', '')`;
  const unitNum = `regexp_extract(${t('unit')}, '${UNIT}', 1)`;
  const unitScale = `regexp_extract(${t('unit')}, '${UNIT}', 2)`;
  const unitBase = `lower(coalesce(NULLIF(regexp_extract(${t('unit')}, '${UNIT}', 3), ''), 'tokens'))`;
  // A block unit applies when the unit matches and names a number or a K/M scale.
  const scaled = `(${t('amount')} IS NOT NULL AND regexp_matches(${t('unit')}, '${UNIT}') AND (${unitNum} <> '' OR ${unitScale} <> ''))`;
  const factor = `CAST(coalesce(NULLIF(${unitNum}, ''), '1') AS BIGINT) * CASE lower(${unitScale}) WHEN 'k' THEN 1000 WHEN 'm' THEN 1000000 ELSE 1 END`;
  const tags = t('tags');
  const jsonTeam = (key: string): string => `CASE WHEN json_type(${tags}, '$.${key}') = 'VARCHAR' THEN NULLIF(json_extract_string(${tags}, '$.${key}'), '') END`;
  return `SELECT line, kind, ${t('type')} AS type_text, ${t('product')} AS service, ${t('payer')} AS payer, ${t('usage_type')} AS usage_type,
      ${t('currency')} AS currency_text, ${t('amount')} AS amount_text, ${t('cost')} AS cost_text, ${t('start')} AS start_text, ${t('end')} AS end_text,
      ${t('period')} AS period_text, ${t('unit')} AS unit_text, ${tags} AS tags_text, ${t('principal')} AS principal, ${t('account')} AS usage_account,
      ${t('description')} AS description_text, ${body} AS body,
      ${scaled} AS scaled, ${unitNum} AS unit_num,
      CASE WHEN ${tags} IS NULL THEN NULL WHEN NOT (starts_with(${tags}, '{') OR starts_with(${tags}, '[')) THEN ${tags}
           WHEN starts_with(${tags}, '{') AND json_valid(${tags}) THEN coalesce(${jsonTeam('team')}, ${jsonTeam('user_team')}, ${jsonTeam('"user:team"')}) END AS team,
      (${tags} IS NULL OR NOT starts_with(${tags}, '[') AND (NOT starts_with(${tags}, '{') OR json_valid(${tags}))) AS tags_ok,
      CASE WHEN ${scaled} THEN ${factor} ELSE 1 END AS factor, CASE WHEN ${scaled} THEN ${unitBase} ELSE ${t('unit')} END AS unit
    FROM (SELECT *, ${kindCase} AS kind FROM bedrock)`;
}

/** Which mapped rows the SQL may finish (the rest go to the per-line importer). */
const FAST = `kind IS NOT NULL
  AND cost_text IS NOT NULL AND regexp_full_match(cost_text, '${PLAIN_DECIMAL}')
  AND (amount_text IS NULL OR regexp_full_match(amount_text, '${PLAIN_DECIMAL}'))
  AND (NOT scaled OR (regexp_full_match(amount_text, '${NARROW_DECIMAL}') AND regexp_full_match(unit_num, '\\d{0,4}')))
  AND start_text IS NOT NULL AND ${instantOk('start_text')} AND end_text IS NOT NULL AND ${instantOk('end_text')}
  AND (period_text IS NULL OR ${instantOk('period_text')}) AND tags_ok`;

/** The billed line columns (store.billed.appendParquet) of a fast row. */
const LINE_SELECT = `line,
  'bedrock' AS provider,
  coalesce(principal, usage_account) AS account,
  service,
  CASE WHEN kind = 'usage' AND usage_type IS NOT NULL THEN lower(NULLIF(CASE WHEN regexp_matches(body, '${TOKENS}') THEN regexp_replace(regexp_extract(body, '${TOKENS}', 1), '(?i)-mantle$', '') ELSE body END, '')) END AS model,
  kind AS charge_kind,
  CASE WHEN kind = 'usage' AND usage_type IS NOT NULL AND regexp_matches(body, '${TOKENS}') THEN replace(lower(regexp_extract(body, '${TOKENS}', 2)), '-', '_') END AS token_class,
  CASE WHEN amount_text IS NULL THEN NULL WHEN scaled THEN CAST(${decimal('amount_text')} * CAST(factor AS DECIMAL(18,0)) AS DECIMAL(38,18)) ELSE ${decimal('amount_text')} END AS quantity,
  unit,
  ${decimal('cost_text')} AS amount,
  upper(coalesce(currency_text, 'USD')) AS currency,
  CASE WHEN upper(coalesce(currency_text, 'USD')) = 'USD' THEN ${decimal('cost_text')} END AS amount_usd,
  epoch_ms(CAST(start_text AS TIMESTAMPTZ)) AS charge_start,
  epoch_ms(CAST(end_text AS TIMESTAMPTZ)) AS charge_end,
  strftime(CAST(coalesce(period_text, start_text) AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m') AS invoice_period,
  team,
  coalesce(description_text, usage_type) AS description`;

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
      return col === undefined ? `CAST(NULL AS VARCHAR) AS ${ident(name)}` : `CAST(${ident(col)} AS VARCHAR) AS ${ident(name)}`;
    });
    const productCol = columnOf(CUR_FIELDS.product);
    const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${src}`)).getRows()[0]?.[0] ?? 0);
    onProgress?.(total);
    if (productCol === undefined) return { rows: total, skipped: total, mappedFile: null, mappedLines: 0, firstMapped: null, perLine: [] };
    // row_number() over the unfiltered scan is the file line (DuckDB keeps file order for a plain scan).
    const inList = [...BEDROCK_PRODUCTS].map(sqlString).join(', ');
    await conn.run(`CREATE TEMP TABLE bedrock AS SELECT * EXCLUDE ("__keep") FROM (
        SELECT row_number() OVER () + 1 AS line, ${fields.join(', ')}, ${ident(productCol)} IN (${inList}) AS "__keep" FROM ${src}) WHERE "__keep"`);
    await conn.run(`CREATE TEMP TABLE mapped AS SELECT *, ${FAST} AS fast FROM (${mappedSelect()})`);
    const kept = Number((await conn.runAndReadAll('SELECT count(*) FROM bedrock')).getRows()[0]?.[0] ?? 0);
    await conn.run('DROP TABLE bedrock');

    const [first] = (await conn.runAndReadAll('SELECT line, payer, count(*) OVER () FROM mapped WHERE fast ORDER BY line LIMIT 1')).getRows();
    const mappedLines = first ? Number(first[2]) : 0;
    let mappedFile: string | null = null;
    if (mappedLines > 0) {
      mappedFile = path.join(scratchDir, 'cur-lines.parquet');
      await conn.run(`COPY (SELECT ${LINE_SELECT} FROM mapped WHERE fast) TO ${sqlString(mappedFile)} (FORMAT parquet)`);
    }

    // The rest, as the per-line importer reads them (text fields by CUR_FIELDS name).
    const perLine: ParsedRow[] = [];
    const slow = await conn.runAndReadAll(`SELECT line, service AS product, type_text AS type, usage_type, amount_text AS amount, cost_text AS cost, currency_text AS currency, start_text AS "start", end_text AS "end",
        period_text AS period, usage_account AS account, principal, payer, unit_text AS unit, description_text AS description, tags_text AS tags
      FROM mapped WHERE NOT fast ORDER BY line`);
    const objects = slow.getRowObjects();
    for (const o of objects) {
      const line = Number(o['line']);
      const row: TableRow = {};
      for (const name of Object.keys(CUR_FIELDS)) {
        const v = o[name];
        row[name] = v === null || v === undefined ? null : String(v);
      }
      perLine.push(curRowToLine(line, row));
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
