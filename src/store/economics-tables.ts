/**
 * The economics half of the Store, written once in portable SQL (src/store/sql.ts) over the
 * `outcomes`, `outcome_calls` and `revenue` tables (embedded migration 007, PostgreSQL 005) and the
 * ledger. Both store classes delegate here; only the ledger's timestamp bounds differ by engine.
 *
 * Linking happens at query time, never at ingest: an outcome's calls are every ledger call of its
 * trace plus its explicit call ids, restricted to the outcome's team when it names one (a team
 * token cannot claim another team's calls). So an outcome reported hours late, or before its calls
 * are written, counts exactly like one reported on time.
 */
import { resolveRange } from './spend-query.js';
import { getAgentSums, listAgentRuns, type AgentRunsPage, type AgentRunsQuery, type AgentRunsWindow, type AgentSumsRow } from './agent-runs-query.js';
import { canonicalDecimal, filterClauses, ledgerInstant, Params, quoteColumn as quote } from './portable-sql-parts.js';
import { numberOf, textOf, type SqlClient, type SqlRow } from './sql.js';
import { StoreQueryError, type DimensionFilters } from './store.js';
import { UNIT_ECONOMICS_DIMENSIONS, type OutcomeAttribute, type OutcomeListQuery, type OutcomeRecord, type OutcomeSums, type OutcomeSumsQuery, type OutcomeSumsRow, type RevenueQuery, type RevenueRecord } from './economics-types.js';

/** Rows per INSERT statement (11 parameters each, far below either engine's parameter limit). */
const ROWS_PER_STATEMENT = 200;
/** Outcome fields a filter may also apply to (an outcome without calls has no ledger columns). */
const OUTCOME_COLUMNS = new Set(['team', 'feature', 'customer']);

const isoMs = (iso: string): number => {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new StoreQueryError(`not an ISO 8601 instant: "${iso}"`);
  return ms;
};
const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

export class EconomicsTables {
  constructor(private readonly sql: SqlClient) {}

  async insertOutcomes(outcomes: readonly OutcomeRecord[]): Promise<{ inserted: number }> {
    // First occurrence of an id wins, inside the batch as across batches.
    const byId = new Map<string, OutcomeRecord>();
    for (const o of outcomes) if (!byId.has(o.id)) byId.set(o.id, o);
    if (byId.size === 0) return { inserted: 0 };
    const receivedAt = Date.now();
    return this.sql.transaction(async (tx) => {
      let inserted = 0;
      for (const batch of chunks([...byId.values()], ROWS_PER_STATEMENT)) {
        const p = new Params();
        const values = batch.map(
          (o) =>
            `(${[o.id, isoMs(o.occurred_at), receivedAt, o.type, o.success, o.trace_id, o.customer, o.feature, o.team].map((v) => p.add(v)).join(', ')}, CAST(${p.add(o.value_usd)} AS DECIMAL(38,18)), ${p.add(JSON.stringify(o.attributes))})`,
        );
        const rows = await tx.query(`INSERT INTO outcomes (id, occurred_at, received_at, type, success, trace_id, customer, feature, team, value_usd, attributes) VALUES ${values.join(', ')} ON CONFLICT (id) DO NOTHING RETURNING id`, p.values);
        inserted += rows.length;
        // Explicit calls only for outcomes that went in: a replayed id keeps its first links.
        const fresh = new Set(rows.map((r) => String(r.id)));
        const links = batch.filter((o) => fresh.has(o.id)).flatMap((o) => [...new Set(o.call_ids)].map((c) => [o.id, c] as const));
        for (const linkBatch of chunks(links, ROWS_PER_STATEMENT * 4)) {
          const lp = new Params();
          await tx.execute(`INSERT INTO outcome_calls (outcome_id, call_id) VALUES ${linkBatch.map(([o, c]) => `(${lp.add(o)}, ${lp.add(c)})`).join(', ')} ON CONFLICT DO NOTHING`, lp.values);
        }
      }
      return { inserted };
    });
  }

  async upsertRevenue(entries: readonly RevenueRecord[]): Promise<{ inserted: number }> {
    // One row per key per statement (an engine refuses to update a row twice in one command): last wins.
    const byKey = new Map<string, RevenueRecord>();
    for (const e of entries) byKey.set(JSON.stringify([e.customer, isoMs(e.period_start), isoMs(e.period_end), e.currency]), e);
    if (byKey.size === 0) return { inserted: 0 };
    const importedAt = Date.now();
    return this.sql.transaction(async (tx) => {
      let written = 0;
      for (const batch of chunks([...byKey.values()], ROWS_PER_STATEMENT)) {
        const p = new Params();
        const values = batch.map((e) => `(${p.add(e.customer)}, ${p.add(isoMs(e.period_start))}, ${p.add(isoMs(e.period_end))}, ${p.add(e.currency)}, CAST(${p.add(e.amount)} AS DECIMAL(38,18)), ${p.add(importedAt)})`);
        written += await tx.execute(
          `INSERT INTO revenue (customer, period_start, period_end, currency, amount, imported_at) VALUES ${values.join(', ')} ON CONFLICT (customer, period_start, period_end, currency) DO UPDATE SET amount = EXCLUDED.amount, imported_at = EXCLUDED.imported_at`,
          p.values,
        );
      }
      return { inserted: written };
    });
  }

  async listRevenue(query: RevenueQuery): Promise<RevenueRecord[]> {
    const p = new Params();
    const where = [`period_end > ${p.add(isoMs(query.from))}`, `period_start < ${p.add(isoMs(query.to))}`];
    if (query.customer !== undefined) where.push(`customer = ${p.add(query.customer)}`);
    const rows = await this.sql.query(`SELECT customer, period_start, period_end, currency, CAST(amount AS VARCHAR) AS amount FROM revenue WHERE ${where.join(' AND ')} ORDER BY period_start, customer, currency`, p.values);
    return rows.map((r) => ({
      customer: String(r.customer),
      period_start: new Date(numberOf(r.period_start) ?? 0).toISOString(),
      period_end: new Date(numberOf(r.period_end) ?? 0).toISOString(),
      currency: String(r.currency),
      amount: canonicalDecimal(String(r.amount)),
    }));
  }

  async getOutcomeSums(query: OutcomeSumsQuery): Promise<OutcomeSums> {
    if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(query.by)) throw new StoreQueryError(`by: must be one of ${UNIT_ECONOMICS_DIMENSIONS.join(', ')}`);
    const { fromUs, toUs } = resolveRange(query.from, query.to);
    if (fromUs === undefined || toUs === undefined) throw new StoreQueryError('from and to are required');
    const filters = query.filters ?? {};
    for (const k of Object.keys(filters)) if (!(UNIT_ECONOMICS_DIMENSIONS as readonly string[]).includes(k)) throw new StoreQueryError(`${k}: unit economics filters by ledger columns only (${UNIT_ECONOMICS_DIMENSIONS.join(', ')})`);

    const p = new Params();
    const instant = (us: bigint): string => ledgerInstant(this.sql.dialect, us, p);
    const callWhere = [`started_at >= ${instant(fromUs)}`, `started_at < ${instant(toUs)}`, ...filterClauses(filters, p, '')];
    const typeClause = query.type === undefined ? '' : ` AND o.type = ${p.add(query.type)}`;
    const ctes = `WITH calls AS (
      SELECT id, trace_id, team, ${quote(query.by)} AS k, cost_total, input_tokens FROM ledger WHERE ${callWhere.join(' AND ')}
    ), links AS (
      SELECT o.id AS oid, o.success AS success, c.id AS cid FROM outcomes o JOIN calls c ON c.trace_id = o.trace_id
        WHERE o.trace_id IS NOT NULL AND (o.team IS NULL OR o.team = c.team)${typeClause}
      UNION
      SELECT o.id AS oid, o.success AS success, c.id AS cid FROM outcomes o JOIN outcome_calls oc ON oc.outcome_id = o.id JOIN calls c ON c.id = oc.call_id
        WHERE (o.team IS NULL OR o.team = c.team)${typeClause}
    ), linked AS (SELECT DISTINCT cid FROM links)`;
    const costSql = `${ctes}
      SELECT c.k AS k, CAST(sum(c.cost_total) AS VARCHAR) AS cost, count(*) AS calls,
        sum(CASE WHEN c.cost_total IS NULL AND c.input_tokens IS NOT NULL THEN 1 ELSE 0 END) AS unpriced,
        CAST(sum(CASE WHEN l.cid IS NULL THEN c.cost_total END) AS VARCHAR) AS unlinked_cost,
        sum(CASE WHEN l.cid IS NULL THEN 1 ELSE 0 END) AS unlinked_calls
      FROM calls c LEFT JOIN linked l ON l.cid = c.id GROUP BY c.k`;
    const outcomeSql = `${ctes}
      SELECT c.k AS k, count(DISTINCT l.oid) AS outcomes, count(DISTINCT CASE WHEN l.success THEN l.oid END) AS successes
      FROM links l JOIN calls c ON c.id = l.cid GROUP BY c.k`;
    // Both statements share the parameter list (the CTEs are identical).
    const [costRows, outcomeRows] = [await this.sql.query(costSql, p.values), await this.sql.query(outcomeSql, p.values)];
    const outcomesByKey = new Map<string | null, SqlRow>(outcomeRows.map((r) => [textOf(r.k), r]));
    const rows: OutcomeSumsRow[] = costRows.map((r) => {
      const key = textOf(r.k);
      const o = outcomesByKey.get(key);
      return {
        key,
        cost: canonicalDecimal(textOf(r.cost) ?? '0'),
        calls: numberOf(r.calls) ?? 0,
        unpriced_calls: numberOf(r.unpriced) ?? 0,
        unlinked_cost: canonicalDecimal(textOf(r.unlinked_cost) ?? '0'),
        unlinked_calls: numberOf(r.unlinked_calls) ?? 0,
        outcomes: numberOf(o?.outcomes) ?? 0,
        successful_outcomes: numberOf(o?.successes) ?? 0,
      };
    });
    rows.sort((a, b) => (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
    return { rows, outcomes_without_calls: await this.outcomesWithoutCalls(query, fromUs, toUs, filters) };
  }

  async listOutcomes(query: OutcomeListQuery): Promise<OutcomeRecord[]> {
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new StoreQueryError('limit must be an integer from 1 to 1000');
    const p = new Params();
    const trace = p.add(query.trace_id);
    const where = [`(o.trace_id = ${trace} OR EXISTS (SELECT 1 FROM outcome_calls oc JOIN ledger l ON l.id = oc.call_id WHERE oc.outcome_id = o.id AND l.trace_id = ${trace}))`];
    for (const [k, v] of Object.entries(query.filters ?? {})) {
      if (!OUTCOME_COLUMNS.has(k)) throw new StoreQueryError(`${k}: outcomes filter by team, feature or customer only`);
      where.push(`o.${quote(k)} = ${p.add(v)}`);
    }
    const rows = await this.sql.query(
      `SELECT o.id, o.occurred_at, o.type, o.success, o.trace_id, o.customer, o.feature, o.team, CAST(o.value_usd AS VARCHAR) AS value_usd, o.attributes FROM outcomes o WHERE ${where.join(' AND ')} ORDER BY o.occurred_at, o.id LIMIT ${limit}`,
      p.values,
    );
    if (rows.length === 0) return [];
    const ip = new Params();
    const links = await this.sql.query(`SELECT outcome_id, call_id FROM outcome_calls WHERE outcome_id IN (${rows.map((r) => ip.add(String(r.id))).join(', ')}) ORDER BY call_id`, ip.values);
    return rows.map((r) => ({
      id: String(r.id),
      occurred_at: new Date(numberOf(r.occurred_at) ?? 0).toISOString(),
      type: String(r.type),
      success: r.success === true,
      trace_id: textOf(r.trace_id),
      call_ids: links.filter((l) => l.outcome_id === r.id).map((l) => String(l.call_id)),
      customer: textOf(r.customer),
      feature: textOf(r.feature),
      team: textOf(r.team),
      value_usd: r.value_usd === null ? null : canonicalDecimal(String(r.value_usd)),
      attributes: JSON.parse(String(r.attributes)) as Record<string, OutcomeAttribute>,
    }));
  }

  /** Outcomes that occurred in [from, to) (`to` absent: since `from`): whether outcome detectors have anything to read. */
  async countOutcomes(q: { from: string; to?: string }): Promise<number> {
    const p = new Params();
    const where = [`occurred_at >= ${p.add(isoMs(q.from))}`];
    if (q.to !== undefined) where.push(`occurred_at < ${p.add(isoMs(q.to))}`);
    const row = (await this.sql.query(`SELECT count(*) AS n FROM outcomes WHERE ${where.join(' AND ')}`, p.values))[0];
    return numberOf(row?.n) ?? 0;
  }

  /** Agent runs (an agent's calls in one trace), newest first, with their cost and outcome status (agent-runs-query.ts). */
  listAgentRuns(query: AgentRunsQuery): Promise<AgentRunsPage> {
    return listAgentRuns(this.sql, query);
  }

  /** Per agent: runs by outcome status and their exact cost (agent-runs-query.ts). */
  getAgentSums(query: AgentRunsWindow): Promise<AgentSumsRow[]> {
    return getAgentSums(this.sql, query);
  }

  /** Outcomes that occurred in the window and match no ledger call at all (any time, same team rule). */
  private async outcomesWithoutCalls(query: OutcomeSumsQuery, fromUs: bigint, toUs: bigint, filters: DimensionFilters): Promise<OutcomeSums['outcomes_without_calls']> {
    const p = new Params();
    const where = [`o.occurred_at >= ${p.add(Number(fromUs / 1000n))}`, `o.occurred_at < ${p.add(Number(toUs / 1000n))}`];
    if (query.type !== undefined) where.push(`o.type = ${p.add(query.type)}`);
    const carried: DimensionFilters = Object.fromEntries(Object.entries(filters).filter(([k]) => OUTCOME_COLUMNS.has(k)));
    where.push(...filterClauses(carried, p, 'o.'));
    // PostgreSQL finds a call by id through ledger_ids (its started_at prunes the partitions).
    const byId = this.sql.dialect === 'postgres' ? 'ledger_ids li JOIN ledger l ON l.id = li.id AND l.started_at = li.started_at' : 'ledger l';
    const joinId = this.sql.dialect === 'postgres' ? 'li.id' : 'l.id';
    where.push(`NOT EXISTS (SELECT 1 FROM ledger l WHERE o.trace_id IS NOT NULL AND l.trace_id = o.trace_id AND (o.team IS NULL OR o.team = l.team))`);
    where.push(`NOT EXISTS (SELECT 1 FROM outcome_calls oc JOIN ${byId} ON ${joinId} = oc.call_id WHERE oc.outcome_id = o.id AND (o.team IS NULL OR o.team = l.team))`);
    const row = (await this.sql.query(`SELECT count(*) AS outcomes, sum(CASE WHEN o.success THEN 1 ELSE 0 END) AS successes FROM outcomes o WHERE ${where.join(' AND ')}`, p.values))[0];
    return { outcomes: numberOf(row?.outcomes) ?? 0, successful_outcomes: numberOf(row?.successes) ?? 0 };
  }
}
