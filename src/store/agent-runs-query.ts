/**
 * Agent runs, from the ledger and the outcomes, in portable SQL run by both stores.
 *
 * A run is the calls of one agent (`attribution.agent`) in one trace; a call with an agent and no
 * trace is a run of its own. Calls of two agents in one trace are two runs. Only calls started in
 * [from, to) count, so a run that straddles an edge is cut there. A run's outcomes are those
 * linked to any of its calls, by the outcome's trace_id or its explicit call_ids (with the team
 * rule of economics-tables.ts), linked at query time so a late outcome counts like a prompt one.
 * The run is `successful` when one of them succeeded, `failed` when all of them failed, `unknown`
 * without any. Money is summed as DECIMAL by the engine; ratios are computed above the store.
 */
import { UNIT_ECONOMICS_DIMENSIONS } from './economics-types.js';
import { microsToIso } from './event-cursor.js';
import { canonicalDecimal, epochUs, filterClauses, ledgerInstant, Params } from './portable-sql-parts.js';
import { resolveRange } from './spend-query.js';
import { numberOf, textOf, type SqlClient, type SqlRow } from './sql.js';
import { StoreQueryError, type DimensionFilters } from './store.js';

export const AGENT_RUN_STATUSES = ['successful', 'failed', 'unknown'] as const;
export type AgentRunStatus = (typeof AGENT_RUN_STATUSES)[number];

export const DEFAULT_RUNS_LIMIT = 100;
export const MAX_RUNS_LIMIT = 1000;

export interface AgentRunsWindow {
  /** Inclusive lower bound on the calls' started_at (ISO 8601). */
  from: string;
  /** Exclusive upper bound on the calls' started_at (ISO 8601). */
  to: string;
  /** Only outcomes of this type decide a run's status. */
  type?: string;
  /** Equality filters on ledger columns (`agent`, a scoped token's `team`…); `null`: absent. */
  filters?: DimensionFilters;
}

export interface AgentRunsQuery extends AgentRunsWindow {
  status?: AgentRunStatus;
  /** 1..1000, default 100. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

export interface AgentRunRow {
  agent: string;
  trace_id: string | null;
  /** The run's only call when it has no trace (else null: open the trace instead). */
  call_id: string | null;
  started_at: string;
  /** Latest end of its calls (a call without ended_at ends when it started). */
  ended_at: string;
  calls: number;
  /** Sum of the priced calls' cost, exact decimal string. */
  cost: string;
  /** Calls with tokens but no price: their cost is unknown, never counted as $0. */
  unpriced_calls: number;
  error_calls: number;
  blocked_calls: number;
  outcomes: number;
  successful_outcomes: number;
  status: AgentRunStatus;
}

export interface AgentRunsPage {
  runs: AgentRunRow[];
  next_cursor: string | null;
}

/** Exact sums per agent over its runs in the window. */
export interface AgentSumsRow {
  agent: string;
  runs: number;
  successful_runs: number;
  failed_runs: number;
  unknown_runs: number;
  calls: number;
  cost: string;
  /** Cost of the runs with no outcome (status unknown). */
  unlinked_cost: string;
  unpriced_calls: number;
  error_calls: number;
  blocked_calls: number;
}

interface RunsCursor {
  startedUs: bigint;
  agent: string;
  lone: number;
  key: string;
}

function encodeCursor(c: RunsCursor): string {
  return Buffer.from(JSON.stringify([c.startedUs.toString(), c.agent, c.lone, c.key]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): RunsCursor {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && /^-?\d{1,19}$/.test(v[0]) && typeof v[1] === 'string' && (v[2] === 0 || v[2] === 1) && typeof v[3] === 'string') {
      return { startedUs: BigInt(v[0]), agent: v[1], lone: v[2], key: v[3] };
    }
  } catch {
    // any malformed cursor is the caller's mistake, reported below
  }
  throw new StoreQueryError('cursor: not a next_cursor from this endpoint');
}

/** The CTEs every agent-run query shares: calls, their outcome links, runs and each run's outcome counts. */
function runCtes(sql: SqlClient, w: AgentRunsWindow, p: Params): string {
  const { fromUs, toUs } = resolveRange(w.from, w.to);
  if (fromUs === undefined || toUs === undefined) throw new StoreQueryError('from and to are required');
  if (toUs <= fromUs) throw new StoreQueryError('to must be after from');
  const filters = w.filters ?? {};
  for (const k of Object.keys(filters)) if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(k)) throw new StoreQueryError(`${k}: agent runs filter by ledger columns only (${UNIT_ECONOMICS_DIMENSIONS.join(', ')})`);
  const where = ['agent IS NOT NULL', `started_at >= ${ledgerInstant(sql.dialect, fromUs, p)}`, `started_at < ${ledgerInstant(sql.dialect, toUs, p)}`, ...filterClauses(filters, p, '')];
  const typeClause = w.type === undefined ? '' : ` AND o.type = ${p.add(w.type)}`;
  // lone = 1: a call without a trace, its own run keyed by its id (kept apart from a trace of the same name).
  return `WITH calls AS (
      SELECT id, agent, trace_id, team, status, cost_total, input_tokens,
        COALESCE(trace_id, id) AS rk, CASE WHEN trace_id IS NULL THEN 1 ELSE 0 END AS lone,
        ${epochUs(sql.dialect, 'started_at')} AS s_us, ${epochUs(sql.dialect, 'COALESCE(ended_at, started_at)')} AS e_us
      FROM ledger WHERE ${where.join(' AND ')}
    ), links AS (
      SELECT o.id AS oid, o.success AS success, c.id AS cid FROM outcomes o JOIN calls c ON c.trace_id = o.trace_id
        WHERE o.trace_id IS NOT NULL AND (o.team IS NULL OR o.team = c.team)${typeClause}
      UNION
      SELECT o.id AS oid, o.success AS success, c.id AS cid FROM outcomes o JOIN outcome_calls oc ON oc.outcome_id = o.id JOIN calls c ON c.id = oc.call_id
        WHERE (o.team IS NULL OR o.team = c.team)${typeClause}
    ), run_outcomes AS (
      SELECT c.agent AS agent, c.lone AS lone, c.rk AS rk, count(DISTINCT l.oid) AS outcomes, count(DISTINCT CASE WHEN l.success THEN l.oid END) AS successes
      FROM links l JOIN calls c ON c.id = l.cid GROUP BY c.agent, c.lone, c.rk
    ), runs AS (
      SELECT agent, lone, rk, min(s_us) AS started_us, max(e_us) AS ended_us, count(*) AS calls, sum(cost_total) AS cost,
        sum(CASE WHEN cost_total IS NULL AND input_tokens IS NOT NULL THEN 1 ELSE 0 END) AS unpriced,
        sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
        sum(CASE WHEN status = 'blocked' THEN 1 ELSE 0 END) AS blocked
      FROM calls GROUP BY agent, lone, rk
    )`;
}

const JOIN_OUTCOMES = 'LEFT JOIN run_outcomes o ON o.agent = r.agent AND o.lone = r.lone AND o.rk = r.rk';
const STATUS_CLAUSE: Record<AgentRunStatus, string> = {
  successful: 'o.successes > 0',
  failed: 'o.outcomes > 0 AND o.successes = 0',
  unknown: 'o.outcomes IS NULL',
};

function statusOf(outcomes: number, successes: number): AgentRunStatus {
  return successes > 0 ? 'successful' : outcomes > 0 ? 'failed' : 'unknown';
}

export async function listAgentRuns(sql: SqlClient, q: AgentRunsQuery): Promise<AgentRunsPage> {
  const limit = q.limit ?? DEFAULT_RUNS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_RUNS_LIMIT) throw new StoreQueryError(`limit must be an integer from 1 to ${MAX_RUNS_LIMIT}`);
  if (q.status !== undefined && !(AGENT_RUN_STATUSES as readonly string[]).includes(q.status)) throw new StoreQueryError(`status: must be one of ${AGENT_RUN_STATUSES.join(', ')}`);
  const p = new Params();
  const ctes = runCtes(sql, q, p);
  const where: string[] = [];
  if (q.status !== undefined) where.push(STATUS_CLAUSE[q.status]);
  if (q.cursor !== undefined) {
    // Keyset: newest first, then agent, lone, key ascending; the page goes on after the cursor's run.
    const c = decodeCursor(q.cursor);
    const s = p.add(c.startedUs.toString());
    const a = p.add(c.agent);
    const l = p.add(c.lone);
    const k = p.add(c.key);
    where.push(`(r.started_us < CAST(${s} AS BIGINT) OR (r.started_us = CAST(${s} AS BIGINT) AND (r.agent > ${a} OR (r.agent = ${a} AND (r.lone > ${l} OR (r.lone = ${l} AND r.rk > ${k}))))))`);
  }
  const rows = await sql.query(
    `${ctes}
    SELECT r.agent AS agent, r.lone AS lone, r.rk AS rk, r.started_us AS started_us, r.ended_us AS ended_us, r.calls AS calls, CAST(r.cost AS VARCHAR) AS cost,
      r.unpriced AS unpriced, r.errors AS errors, r.blocked AS blocked, o.outcomes AS outcomes, o.successes AS successes
    FROM runs r ${JOIN_OUTCOMES}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
    ORDER BY r.started_us DESC, r.agent, r.lone, r.rk LIMIT ${limit + 1}`,
    p.values,
  );
  const page = rows.slice(0, limit).map(runRow);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return {
    runs: page,
    next_cursor: last ? encodeCursor({ startedUs: BigInt(String(last.started_us)), agent: String(last.agent), lone: numberOf(last.lone) ?? 0, key: String(last.rk) }) : null,
  };
}

function runRow(r: SqlRow): AgentRunRow {
  const lone = numberOf(r.lone) === 1;
  const outcomes = numberOf(r.outcomes) ?? 0;
  const successes = numberOf(r.successes) ?? 0;
  return {
    agent: String(r.agent),
    trace_id: lone ? null : String(r.rk),
    call_id: lone ? String(r.rk) : null,
    started_at: microsToIso(BigInt(String(r.started_us))),
    ended_at: microsToIso(BigInt(String(r.ended_us))),
    calls: numberOf(r.calls) ?? 0,
    cost: canonicalDecimal(textOf(r.cost) ?? '0'),
    unpriced_calls: numberOf(r.unpriced) ?? 0,
    error_calls: numberOf(r.errors) ?? 0,
    blocked_calls: numberOf(r.blocked) ?? 0,
    outcomes,
    successful_outcomes: successes,
    status: statusOf(outcomes, successes),
  };
}

export async function getAgentSums(sql: SqlClient, w: AgentRunsWindow): Promise<AgentSumsRow[]> {
  const p = new Params();
  const ctes = runCtes(sql, w, p);
  const rows = await sql.query(
    `${ctes}
    SELECT r.agent AS agent, count(*) AS runs,
      sum(CASE WHEN o.successes > 0 THEN 1 ELSE 0 END) AS successful_runs,
      sum(CASE WHEN o.outcomes > 0 AND o.successes = 0 THEN 1 ELSE 0 END) AS failed_runs,
      sum(CASE WHEN o.outcomes IS NULL THEN 1 ELSE 0 END) AS unknown_runs,
      sum(r.calls) AS calls, CAST(sum(r.cost) AS VARCHAR) AS cost,
      CAST(sum(CASE WHEN o.outcomes IS NULL THEN r.cost END) AS VARCHAR) AS unlinked_cost,
      sum(r.unpriced) AS unpriced, sum(r.errors) AS errors, sum(r.blocked) AS blocked
    FROM runs r ${JOIN_OUTCOMES} GROUP BY r.agent ORDER BY r.agent`,
    p.values,
  );
  return rows.map((r) => ({
    agent: String(r.agent),
    runs: numberOf(r.runs) ?? 0,
    successful_runs: numberOf(r.successful_runs) ?? 0,
    failed_runs: numberOf(r.failed_runs) ?? 0,
    unknown_runs: numberOf(r.unknown_runs) ?? 0,
    calls: numberOf(r.calls) ?? 0,
    cost: canonicalDecimal(textOf(r.cost) ?? '0'),
    unlinked_cost: canonicalDecimal(textOf(r.unlinked_cost) ?? '0'),
    unpriced_calls: numberOf(r.unpriced) ?? 0,
    error_calls: numberOf(r.errors) ?? 0,
    blocked_calls: numberOf(r.blocked) ?? 0,
  }));
}
