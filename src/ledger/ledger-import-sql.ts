/**
 * `import ledger` in bulk: the SQL with which DuckDB reads a JSON Lines file, holds each line to
 * the rules of the import schema (ledger-import.ts; both derive from the one ledger definition in
 * ledger-schema.ts) and types the lines that pass as ledger rows, one row per line.
 *
 * The SQL is stricter than the zod schema, never looser. A line it does not take in bulk is routed
 * to `check`: the zod schema in JS then decides, and words the reason exactly as before. That is
 * where invalid lines end up, and also valid lines that are merely unusual (a count written 1e3,
 * money as a JSON number, more than 512 bytes of text, `error.scope`, an offset-less timestamp
 * DuckDB cannot read…) and records without a cost, which the price book (JS) must price.
 *
 * What the bulk path reads differently from JSON.parse, on purpose (documented in
 * docs/architecture.md): DuckDB's parser tolerates a trailing comma and lower-case nan/inf, and
 * reads the first of two equal keys where JSON.parse keeps the last. Lines carrying `NaN` or
 * `Infinity` (what Python's json module writes) are routed to the JS check; every field the
 * ledger keeps is validated whichever way the line was parsed.
 */
import { MAX_REPORTED_CALL_USD } from '../providers/usage-bounds.js';
import { USAGE_VERSION } from '../providers/spec.js';
import { COST_PARTS, FIELD_KINDS, LEDGER_COLUMNS, type LedgerColumn, type LedgerGroup } from './ledger-schema.js';
import { MAX_TOKEN_COUNT } from './ledger-import.js';

/** Every non-blank line as read, file order kept (rowid + 1 is the line number). */
export const LINES_TABLE = 'ledger_import_lines';
/** One row per line: its number, its route, and for `bulk` rows the ledger columns. */
export const ROWS_TABLE = 'ledger_import_rows';
/** Lines routed to `check` that the zod schema accepted, with their record id. */
export const CHECKED_TABLE = 'ledger_import_checked';
/** Valid lines whose id an earlier valid line of the file already has (the first one wins). */
export const REPEATS_TABLE = 'ledger_import_repeats';
export const IMPORT_TABLES = [LINES_TABLE, ROWS_TABLE, CHECKED_TABLE, REPEATS_TABLE] as const;

const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const list = (xs: readonly string[]): string => `(${xs.map(lit).join(', ')})`;
const q = (name: string): string => `"${name}"`;

/**
 * Reads the file one line per row, untouched: a single VARCHAR column split at newlines only (a
 * control character no JSON line can hold unescaped is the delimiter, no quoting). Blank lines
 * read as NULL, so rowid + 1 stays the file's line number.
 */
export function readLinesSql(file: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${LINES_TABLE} AS SELECT line FROM read_csv(${lit(file)}, columns = {'line': 'VARCHAR'}, delim = '\u0001', quote = '', escape = '', header = false, auto_detect = false)`;
}

/** The JSON paths read from each line, in one parse: top-level fields, the groups, their leaves. */
const IMPORTED = LEDGER_COLUMNS.filter((c) => c.imported !== 'derived');
const GROUPS: readonly LedgerGroup[] = ['usage', 'cost', 'attribution'];
const PATHS: readonly string[] = [...IMPORTED.map((c) => `$.${c.path.join('.')}`), ...GROUPS.map((g) => `$.${g}`)];
/** Kinds whose JSON value is a string: their unescaped text is read once, as `s_<column>`. */
const STRING_KINDS = new Set(['text', 'instant', 'money']);

/** Column aliases of the intermediate projections: raw JSON text, string, typed value. */
const R = (c: LedgerColumn): string => q(`r_${c.name}`);
const S = (c: LedgerColumn): string => q(`s_${c.name}`);
const T = (c: LedgerColumn): string => q(`t_${c.name}`);
const G = (g: LedgerGroup): string => q(`g_${g}`);
const named = (name: string): LedgerColumn => IMPORTED.find((c) => c.name === name)!;

const present = (r: string): string => `(${r} IS NOT NULL AND ${r} <> 'null')`;
/** 1 to `max` decimal digits (RE2 is much cheaper here than ltrim with a character set). */
const digits = (s: string, max: number): string => `regexp_full_match(${s}, '[0-9]{1,${max}}')`;

/** zod's z.iso.datetime({offset: true}) (years 1000-9999 here; others go to the JS check). */
const INSTANT = `'[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])'`;
/** Epoch microseconds of the instant; NULL when it is not a real date. */
const instantUs = (s: string): string => `CASE WHEN regexp_full_match(${s}, ${INSTANT}) THEN epoch_us(TRY_CAST(${s} AS TIMESTAMPTZ)) END`;
/** Cut to whole milliseconds as `new Date()` cuts them (the fraction is truncated). */
const wholeMs = (us: string): string => `(${us} - ((${us} % 1000) + 1000) % 1000)`;

/** A plain non-negative decimal string of at most 18 fraction digits (JSON numbers go to the JS check). */
const moneyShape = (s: string): string => `regexp_full_match(${s}, '[0-9]{1,20}(\\.[0-9]{0,18})?|\\.[0-9]{1,18}')`;

/** The typed value of a present field, NULL when it breaks the kind's rule (computed once per line). */
function typed(c: LedgerColumn): string | undefined {
  const r = R(c);
  const s = S(c);
  if (c.name === 'http_status') return `CASE WHEN ${digits(r, 3)} THEN TRY_CAST(${r} AS INTEGER) END`;
  switch (c.kind) {
    case 'instant':
      return instantUs(s);
    case 'float':
      return `CASE WHEN regexp_full_match(${r}, '[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?') THEN TRY_CAST(${r} AS DOUBLE) END`;
    case 'int':
      return `CASE WHEN ${digits(r, 9)} THEN TRY_CAST(${r} AS INTEGER) END`;
    case 'count':
      return `CASE WHEN ${digits(r, 13)} THEN TRY_CAST(${r} AS BIGINT) END`;
    case 'money':
      return `CASE WHEN ${moneyShape(s)} THEN TRY_CAST(${s} AS DECIMAL(38,18)) END`;
    default:
      return undefined;
  }
}

interface Field {
  /** True when a present, non-null value is acceptable in bulk. */
  ok: string;
  /** The value, as the ledger column type, when present and ok. */
  value: string;
}

/** How a present value of a column is checked and typed: the kind's rule, narrowed as in ledger-import.ts. */
function field(c: LedgerColumn): Field {
  const r = R(c);
  const s = S(c);
  const t = T(c);
  if (c.name === 'http_status') return { ok: `(${t} BETWEEN 100 AND 599)`, value: t };
  if (c.name === 'unpriced_reason') return { ok: `(${s} IS NOT NULL AND NOT contains(${s}, chr(0)))`, value: s };
  if (c.name === 'error') {
    // {type, message} of strings; `scope` or any other key goes to the JS check (zod strips unknown keys).
    const type = `json_extract(${r}, '$.type')`;
    const message = `json_extract(${r}, '$.message')`;
    return {
      ok: `(starts_with(${r}, '{') AND json_keys(${r}) = ['type', 'message'] AND starts_with(${type}, '"') AND starts_with(${message}, '"') AND NOT contains(${r}, '\\u0000'))`,
      value: `json_object('type', json_extract_string(${type}, '$'), 'message', json_extract_string(${message}, '$'))::VARCHAR`,
    };
  }
  switch (c.kind) {
    case 'text': {
      const allowed = c.values ? ` AND ${s} IN ${list(c.values)}` : '';
      return { ok: `(strlen(${s}) BETWEEN 1 AND 512 AND NOT contains(${s}, chr(0))${allowed})`, value: s };
    }
    case 'instant':
      return { ok: `(${t} < 253370764800000000)`, value: `make_timestamp(${wholeMs(t)})` };
    case 'float':
      return { ok: `(isfinite(${t}) AND ${t} >= 0)`, value: t };
    case 'int':
      return { ok: `(${t} IS NOT NULL)`, value: t };
    case 'count':
      return { ok: `(${t} <= ${MAX_TOKEN_COUNT})`, value: t };
    case 'bool':
      return { ok: `(${r} IN ('true', 'false'))`, value: `(${r} = 'true')` };
    case 'money':
      return { ok: `(${t} <= ${MAX_REPORTED_CALL_USD})`, value: t };
    case 'json':
      // Any JSON; numbers JS would read as Infinity (and so store as null) go to the JS check.
      return { ok: `(NOT regexp_matches(${r}, '(?i)nan|inf|[0-9][eE]\\+?[0-9]{3}'))`, value: r };
    case 'tags': {
      // Flat string → string objects up to 130 characters (so every key ≤ 128, every value ≤ 512),
      // each key once; larger tag sets go to the JS check.
      const pair = `"([^"\\\\]|\\\\.)+":"([^"\\\\]|\\\\.)*"`;
      const ok = `(strlen(${r}) <= 130 AND regexp_full_match(${r}, '\\{(${pair}(,${pair})*)?\\}') AND NOT contains(${r}, '\\u0000')
        AND (NOT contains(${r}, '","') OR len(json_keys(${r})) = len(list_distinct(json_keys(${r})))))`;
      return { ok, value: r };
    }
  }
}

/**
 * A group holds only its own keys (zod's strict objects): its JSON text, as DuckDB writes it back,
 * is exactly as long as `{"key":value,…}` over the leaves read, so anything longer has a key the
 * ledger does not know (or one key twice).
 */
function onlyKnownKeys(g: string, leaves: readonly LedgerColumn[]): string {
  const parts = leaves.map((c) => `CASE WHEN ${R(c)} IS NULL THEN 0 ELSE ${c.path[1]!.length + 4} + strlen(${R(c)}) END`);
  return `(starts_with(${g}, '{') AND strlen(${g}) = greatest(2, 1 + ${parts.join(' + ')}))`;
}

const usagePresent = present(G('usage'));
const costPresent = present(G('cost'));
/** The cost parts (absent ones as zero), summed once per line. */
const PARTS_SUM = q('parts_sum');

/** Every rule of the import schema, as one condition on a line's values (true: take it in bulk). */
function bulkCondition(): string {
  const checks: string[] = [];
  for (const c of IMPORTED) {
    const r = R(c);
    const { ok } = field(c);
    const [key, leaf] = c.path;
    if (leaf === undefined) {
      if (c.imported === 'required') checks.push(`${present(r)} AND ${ok}`);
      // A nullable field may be null; any other optional field may be absent but not null.
      else if (c.nullable) checks.push(`(NOT ${present(r)} OR ${ok})`);
      else checks.push(`(${r} IS NULL OR (${r} <> 'null' AND ${ok}))`);
    } else if (key === 'attribution') checks.push(`(NOT ${present(r)} OR ${ok})`);
    // usage and cost leaves may be absent, never null.
    else checks.push(`(${r} IS NULL OR (${r} <> 'null' AND ${ok}))`);
  }
  for (const g of GROUPS) {
    const known = onlyKnownKeys(G(g), IMPORTED.filter((c) => c.path[0] === g));
    // usage and cost may be null or absent; attribution only absent.
    checks.push(g === 'attribution' ? `(${G(g)} IS NULL OR ${known})` : `(NOT ${present(G(g))} OR ${known})`);
  }
  checks.push(`(NOT ${costPresent} OR ${R(named('cost_total'))} IS NOT NULL)`);
  // A call that failed or was refused may have neither usage nor cost; any other needs one.
  checks.push(`(${usagePresent} OR ${costPresent} OR ${S(named('status'))} IN ('error', 'blocked', 'aborted'))`);
  // `other` is the total minus the parts: parts above the total would make it negative.
  checks.push(`(NOT ${costPresent} OR ${R(named('cost_other'))} IS NOT NULL OR ${PARTS_SUM} <= ${T(named('cost_total'))})`);
  // A record with usage and no cost is priced by the price book: the JS path.
  checks.push(`(${costPresent} OR NOT ${usagePresent})`);
  return checks.join('\n    AND ');
}

/** The ledger value of a column for a line taken in bulk (defaults as toLedgerRecord fills them). */
function columnValue(c: LedgerColumn): string {
  if (c.imported === 'derived') return String(USAGE_VERSION);
  const given = `CASE WHEN ${present(R(c))} THEN ${field(c).value} END`;
  const [key, leaf] = c.path;
  if (key === 'usage') return `CASE WHEN ${usagePresent} THEN coalesce(${given}, 0) END`;
  if (key === 'cost') {
    if (c.name === 'cost_total') return `CASE WHEN ${costPresent} THEN ${given} END`;
    if (c.name === 'cost_currency') return `CASE WHEN ${costPresent} THEN 'USD' END`;
    if (c.name === 'cost_source') return `CASE WHEN ${costPresent} THEN coalesce(${given}, 'provider') END`;
    // Whatever the parts do not explain (all of it, for a total-only cost) stays visible as `other`.
    if (c.name === 'cost_other') return `CASE WHEN ${costPresent} THEN coalesce(${given}, ${T(named('cost_total'))} - ${PARTS_SUM}) END`;
    return `CASE WHEN ${costPresent} THEN coalesce(${given}, 0) END`;
  }
  if (leaf !== undefined) return given;
  switch (c.name) {
    case 'source':
      return `coalesce(${given}, 'import')`;
    case 'status':
      return `coalesce(${given}, 'ok')`;
    case 'stream':
      return `coalesce(${given}, false)`;
    case 'tags':
      return `coalesce(${given}, '{}')`;
    case 'usage_source':
      return `CASE WHEN ${usagePresent} THEN coalesce(${given}, 'provider') END`;
    case 'priced':
      return costPresent;
    case 'error':
      // toLedgerRecord sets an absent error to null: the JSON text 'null'.
      return `coalesce(${given}, 'null')`;
    case 'raw_usage':
      // Kept only when the line has the key (a present null stays a null).
      return `CASE WHEN ${R(c)} IS NOT NULL THEN ${R(c)} END`;
    default:
      return given;
  }
}

/**
 * Classifies every line read: `bulk` rows carry the ledger columns (NULL elsewhere), `check` rows
 * their text for the zod check; blank lines are left out. One JSON parse per line reads every
 * path; each projection names values the next one uses, so each is computed once.
 */
export function classifySql(): string {
  // Lines DuckDB could parse but JSON.parse would not (Python's NaN/Infinity) go to the JS check.
  const parsed = `SELECT rowid + 1 AS line_no, line, CASE WHEN contains(line, 'NaN') OR contains(line, 'Infinity') THEN NULL ELSE try(json_extract(line, [${PATHS.map(lit).join(', ')}])) END AS v FROM ${LINES_TABLE} WHERE line IS NOT NULL`;
  const rawCols = [
    ...IMPORTED.map((c) => `v[${PATHS.indexOf(`$.${c.path.join('.')}`) + 1}] AS ${R(c)}`),
    ...GROUPS.map((g) => `v[${PATHS.indexOf(`$.${g}`) + 1}] AS ${G(g)}`),
  ];
  // Strings without escapes are the text between the quotes; only escaped ones need the JSON reader
  // (an escape in money or an instant is never valid there: the JS check words the reason).
  const texts = IMPORTED.filter((c) => STRING_KINDS.has(c.kind)).map((c) =>
    c.kind === 'text'
      ? `CASE WHEN starts_with(${R(c)}, '"') THEN (CASE WHEN contains(${R(c)}, '\\') THEN json_extract_string(${R(c)}, '$') ELSE ${R(c)}[2:-2] END) END AS ${S(c)}`
      : `CASE WHEN starts_with(${R(c)}, '"') AND NOT contains(${R(c)}, '\\') THEN ${R(c)}[2:-2] END AS ${S(c)}`,
  );
  const typedCols = IMPORTED.flatMap((c) => {
    const t = typed(c);
    return t === undefined ? [] : [`${t} AS ${T(c)}`];
  });
  const partsSum = `${COST_PARTS.map((p) => `coalesce(${T(named(`cost_${p}`))}, 0)`).join(' + ')} AS ${PARTS_SUM}`;
  const l2 = `SELECT line_no, line, v IS NOT NULL AS parsed, ${rawCols.join(', ')} FROM (${parsed})`;
  const l3 = `SELECT *, ${texts.join(', ')} FROM (${l2})`;
  const l4 = `SELECT *, ${typedCols.join(', ')} FROM (${l3})`;
  const l5 = `SELECT *, ${partsSum}, coalesce(parsed AND ${bulkCondition()}, false) AS bulk FROM (${l4})`;
  const columns = LEDGER_COLUMNS.map((c) => `CASE WHEN bulk THEN CAST(${columnValue(c)} AS ${FIELD_KINDS[c.kind].duckdb}) END AS ${q(c.name)}`);
  return `CREATE OR REPLACE TEMP TABLE ${ROWS_TABLE} AS
SELECT line_no, CASE WHEN bulk THEN 'bulk' ELSE 'check' END AS route, CASE WHEN bulk THEN NULL ELSE line END AS line,
  ${columns.join(',\n  ')}
FROM (${l5})`;
}

/** The lines to check with the zod schema, in file order, a page at a time (parameters: after line, page size). */
export const CHECK_PAGE_SQL = `SELECT line_no, line FROM ${ROWS_TABLE} WHERE route = 'check' AND line_no > ? ORDER BY line_no LIMIT ?`;
export const CREATE_CHECKED_SQL = `CREATE OR REPLACE TEMP TABLE ${CHECKED_TABLE} (line_no BIGINT, id VARCHAR)`;

/** Valid lines that repeat an id of an earlier valid line (bulk or checked): skipped as duplicates. */
export const REPEATS_SQL = `CREATE OR REPLACE TEMP TABLE ${REPEATS_TABLE} AS
WITH valid AS (SELECT id, line_no FROM ${ROWS_TABLE} WHERE route = 'bulk' UNION ALL SELECT id, line_no FROM ${CHECKED_TABLE}),
dup AS (SELECT id, min(line_no) AS first FROM valid GROUP BY id HAVING count(*) > 1)
SELECT v.line_no FROM valid v JOIN dup d ON v.id = d.id WHERE v.line_no > d.first`;

/** Bulk rows to append, in file order, without repeats: ledger columns by name, then `_line`. */
export function bulkRowsSql(fromLine: number, toLine: number): string {
  return `SELECT ${LEDGER_COLUMNS.map((c) => q(c.name)).join(', ')}, line_no AS _line FROM ${ROWS_TABLE}
WHERE route = 'bulk' AND line_no BETWEEN ${fromLine} AND ${toLine} AND line_no NOT IN (SELECT line_no FROM ${REPEATS_TABLE})`;
}

/** Checked lines to import through the record path (first of their id), a page at a time (parameters: after line, page size). */
export const CHECKED_PAGE_SQL = `SELECT c.line_no, l.line FROM ${CHECKED_TABLE} c JOIN ${ROWS_TABLE} l ON l.line_no = c.line_no
WHERE c.line_no > ? AND c.line_no NOT IN (SELECT line_no FROM ${REPEATS_TABLE}) ORDER BY c.line_no LIMIT ?`;
