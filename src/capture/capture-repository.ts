/**
 * Captured bodies and replay evaluations, a domain of their own beside the ledger (tables created
 * by `migrateDomain('capture', …)`, the same SQL on both engines). Bodies arrive here already
 * redacted and sealed; this module never sees them in the clear.
 */
import { Decimal } from '../pricing/decimal.js';
import type { DomainMigration, SqlClient, SqlParam, SqlRow } from '../store/sql.js';
import { numberOf, textOf } from '../store/sql.js';

export const CAPTURE_MIGRATIONS: readonly DomainMigration[] = [
  {
    version: 1,
    name: 'captured bodies and replay evaluations',
    duckdb: `
CREATE TABLE captured_call (request_id VARCHAR PRIMARY KEY, captured_at BIGINT NOT NULL, provider VARCHAR NOT NULL, api VARCHAR NOT NULL, model VARCHAR, feature VARCHAR, team VARCHAR, key_id VARCHAR, path VARCHAR NOT NULL, request_sealed VARCHAR NOT NULL, output_sealed VARCHAR NOT NULL, redactions BIGINT NOT NULL, cost DECIMAL(38,18));
CREATE INDEX captured_call_feature ON captured_call (feature, captured_at);
CREATE TABLE eval_run (id VARCHAR PRIMARY KEY, feature VARCHAR NOT NULL, candidate VARCHAR NOT NULL, scorer VARCHAR NOT NULL, sample_requested BIGINT NOT NULL, status VARCHAR NOT NULL, created_at BIGINT NOT NULL, finished_at BIGINT, planned BIGINT NOT NULL, scored BIGINT NOT NULL, passed BIGINT NOT NULL, failed_calls BIGINT NOT NULL, score_sum DOUBLE NOT NULL, original_cost DECIMAL(38,18) NOT NULL, candidate_cost DECIMAL(38,18) NOT NULL, original_models VARCHAR NOT NULL, error VARCHAR);
CREATE TABLE eval_sample (run_id VARCHAR NOT NULL, request_id VARCHAR NOT NULL, candidate_request_id VARCHAR, original_model VARCHAR, score DOUBLE, passed BOOLEAN, original_cost DECIMAL(38,18), candidate_cost DECIMAL(38,18), note VARCHAR, PRIMARY KEY (run_id, request_id));
`,
    postgres: `
CREATE TABLE captured_call (request_id TEXT PRIMARY KEY, captured_at BIGINT NOT NULL, provider TEXT NOT NULL, api TEXT NOT NULL, model TEXT, feature TEXT, team TEXT, key_id TEXT, path TEXT NOT NULL, request_sealed TEXT NOT NULL, output_sealed TEXT NOT NULL, redactions BIGINT NOT NULL, cost DECIMAL(38,18));
CREATE INDEX captured_call_feature ON captured_call (feature, captured_at);
CREATE TABLE eval_run (id TEXT PRIMARY KEY, feature TEXT NOT NULL, candidate TEXT NOT NULL, scorer TEXT NOT NULL, sample_requested BIGINT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, finished_at BIGINT, planned BIGINT NOT NULL, scored BIGINT NOT NULL, passed BIGINT NOT NULL, failed_calls BIGINT NOT NULL, score_sum DOUBLE PRECISION NOT NULL, original_cost DECIMAL(38,18) NOT NULL, candidate_cost DECIMAL(38,18) NOT NULL, original_models TEXT NOT NULL, error TEXT);
CREATE TABLE eval_sample (run_id TEXT NOT NULL, request_id TEXT NOT NULL, candidate_request_id TEXT, original_model TEXT, score DOUBLE PRECISION, passed BOOLEAN, original_cost DECIMAL(38,18), candidate_cost DECIMAL(38,18), note TEXT, PRIMARY KEY (run_id, request_id));
`,
  },
];

/** One captured call as stored: bodies sealed (see body-capture.ts). */
export interface CapturedCallRow {
  request_id: string;
  captured_at: string;
  provider: string;
  api: string;
  model: string | null;
  feature: string | null;
  team: string | null;
  key_id: string | null;
  /** The path the client called the gateway on (replay calls the same path). */
  path: string;
  request_sealed: string;
  output_sealed: string;
  redactions: number;
  /** The original call's cost (exact decimal string), null when unpriced. */
  cost: string | null;
}

export type EvalRunStatus = 'running' | 'done' | 'failed';

export interface EvalRunRow {
  id: string;
  feature: string;
  candidate: string;
  scorer: string;
  sample_requested: number;
  status: EvalRunStatus;
  created_at: string;
  finished_at: string | null;
  /** Captured calls chosen for the run. */
  planned: number;
  /** Samples with a score (the candidate answered and the scorer could judge). */
  scored: number;
  passed: number;
  /** Candidate calls that failed (error, refusal): not scored, counted. */
  failed_calls: number;
  score_sum: number;
  original_cost: string;
  candidate_cost: string;
  original_models: string[];
  error: string | null;
}

export interface EvalSampleRow {
  run_id: string;
  request_id: string;
  candidate_request_id: string | null;
  original_model: string | null;
  score: number | null;
  passed: boolean | null;
  original_cost: string | null;
  candidate_cost: string | null;
  note: string | null;
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (v: SqlRow[string] | undefined): string | null => {
  const n = numberOf(v);
  return n === null ? null : new Date(n).toISOString();
};
const dec = (v: SqlRow[string] | undefined): string | null => (v === null || v === undefined ? null : Decimal.parse(String(v)).toString());

const CAPTURE_COLUMNS = ['request_id', 'captured_at', 'provider', 'api', 'model', 'feature', 'team', 'key_id', 'path', 'request_sealed', 'output_sealed', 'redactions', 'cost'] as const;

export class CaptureRepository {
  private ready: Promise<void> | undefined;

  constructor(private readonly sql: SqlClient, private readonly migrate: () => Promise<void>) {}

  private open(): Promise<void> {
    return (this.ready ??= this.migrate());
  }

  /** Adds captures; a request id already captured is kept as it was (a retried flush adds nothing). */
  async insertCaptures(rows: readonly CapturedCallRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.open();
    const params: SqlParam[] = [];
    const tuples = rows.map((r) => {
      const b = params.push(r.request_id, ms(r.captured_at), r.provider, r.api, r.model, r.feature, r.team, r.key_id, r.path, r.request_sealed, r.output_sealed, r.redactions, r.cost) - CAPTURE_COLUMNS.length;
      return `(${CAPTURE_COLUMNS.map((c, i) => `$${b + i + 1}${c === 'captured_at' || c === 'redactions' ? '::BIGINT' : c === 'cost' ? '::DECIMAL(38,18)' : ''}`).join(', ')})`;
    });
    await this.sql.execute(`INSERT INTO captured_call (${CAPTURE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (request_id) DO NOTHING`, params);
  }

  /** A feature's captures, oldest first (`from <= captured_at < to` when given). */
  async captures(q: { feature: string; from?: string; to?: string; limit?: number }): Promise<CapturedCallRow[]> {
    await this.open();
    const params: SqlParam[] = [q.feature];
    let where = 'feature = $1';
    if (q.from) where += ` AND captured_at >= $${params.push(ms(q.from))}::BIGINT`;
    if (q.to) where += ` AND captured_at < $${params.push(ms(q.to))}::BIGINT`;
    const rows = await this.sql.query(`SELECT * FROM captured_call WHERE ${where} ORDER BY captured_at, request_id LIMIT ${Math.max(1, Math.min(q.limit ?? 100_000, 100_000))}`, params);
    return rows.map((r) => ({
      request_id: String(r['request_id']),
      captured_at: iso(r['captured_at'])!,
      provider: String(r['provider']),
      api: String(r['api']),
      model: textOf(r['model']),
      feature: textOf(r['feature']),
      team: textOf(r['team']),
      key_id: textOf(r['key_id']),
      path: String(r['path']),
      request_sealed: String(r['request_sealed']),
      output_sealed: String(r['output_sealed']),
      redactions: numberOf(r['redactions']) ?? 0,
      cost: dec(r['cost']),
    }));
  }

  async countCaptures(): Promise<number> {
    await this.open();
    const rows = await this.sql.query('SELECT COUNT(*) AS n FROM captured_call');
    return numberOf(rows[0]?.['n']) ?? 0;
  }

  /** Retention: deletes captures taken before `before`; returns how many. */
  async deleteCapturesBefore(before: string): Promise<number> {
    await this.open();
    return this.sql.execute('DELETE FROM captured_call WHERE captured_at < $1::BIGINT', [ms(before)]);
  }

  async createRun(run: EvalRunRow): Promise<void> {
    await this.open();
    await this.sql.execute(
      'INSERT INTO eval_run (id, feature, candidate, scorer, sample_requested, status, created_at, finished_at, planned, scored, passed, failed_calls, score_sum, original_cost, candidate_cost, original_models, error) VALUES ($1, $2, $3, $4, $5::BIGINT, $6, $7::BIGINT, $8::BIGINT, $9::BIGINT, $10::BIGINT, $11::BIGINT, $12::BIGINT, $13, $14::DECIMAL(38,18), $15::DECIMAL(38,18), $16, $17)',
      [run.id, run.feature, run.candidate, run.scorer, run.sample_requested, run.status, ms(run.created_at), run.finished_at === null ? null : ms(run.finished_at), run.planned, run.scored, run.passed, run.failed_calls, run.score_sum, run.original_cost, run.candidate_cost, JSON.stringify(run.original_models), run.error],
    );
  }

  async updateRun(run: EvalRunRow): Promise<void> {
    await this.open();
    await this.sql.execute(
      'UPDATE eval_run SET status = $2, finished_at = $3::BIGINT, planned = $4::BIGINT, scored = $5::BIGINT, passed = $6::BIGINT, failed_calls = $7::BIGINT, score_sum = $8, original_cost = $9::DECIMAL(38,18), candidate_cost = $10::DECIMAL(38,18), original_models = $11, error = $12 WHERE id = $1',
      [run.id, run.status, run.finished_at === null ? null : ms(run.finished_at), run.planned, run.scored, run.passed, run.failed_calls, run.score_sum, run.original_cost, run.candidate_cost, JSON.stringify(run.original_models), run.error],
    );
  }

  async insertSample(s: EvalSampleRow): Promise<void> {
    await this.open();
    await this.sql.execute(
      'INSERT INTO eval_sample (run_id, request_id, candidate_request_id, original_model, score, passed, original_cost, candidate_cost, note) VALUES ($1, $2, $3, $4, $5, $6, $7::DECIMAL(38,18), $8::DECIMAL(38,18), $9) ON CONFLICT (run_id, request_id) DO NOTHING',
      [s.run_id, s.request_id, s.candidate_request_id, s.original_model, s.score, s.passed, s.original_cost, s.candidate_cost, s.note],
    );
  }

  async runs(q: { feature?: string; candidate?: string; limit?: number } = {}): Promise<EvalRunRow[]> {
    await this.open();
    const params: SqlParam[] = [];
    const where: string[] = [];
    if (q.feature !== undefined) where.push(`feature = $${params.push(q.feature)}`);
    if (q.candidate !== undefined) where.push(`candidate = $${params.push(q.candidate)}`);
    const rows = await this.sql.query(`SELECT * FROM eval_run ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ${Math.max(1, Math.min(q.limit ?? 100, 1000))}`, params);
    return rows.map(runOf);
  }

  async run(id: string): Promise<EvalRunRow | undefined> {
    await this.open();
    const rows = await this.sql.query('SELECT * FROM eval_run WHERE id = $1', [id]);
    return rows[0] ? runOf(rows[0]) : undefined;
  }

  async samples(runId: string): Promise<EvalSampleRow[]> {
    await this.open();
    const rows = await this.sql.query('SELECT * FROM eval_sample WHERE run_id = $1 ORDER BY request_id', [runId]);
    return rows.map((r) => ({
      run_id: String(r['run_id']),
      request_id: String(r['request_id']),
      candidate_request_id: textOf(r['candidate_request_id']),
      original_model: textOf(r['original_model']),
      score: r['score'] === null || r['score'] === undefined ? null : Number(r['score']),
      passed: r['passed'] === null || r['passed'] === undefined ? null : r['passed'] === true || r['passed'] === 'true',
      original_cost: dec(r['original_cost']),
      candidate_cost: dec(r['candidate_cost']),
      note: textOf(r['note']),
    }));
  }
}

function runOf(r: SqlRow): EvalRunRow {
  let models: string[] = [];
  try {
    const parsed: unknown = JSON.parse(String(r['original_models'] ?? '[]'));
    if (Array.isArray(parsed)) models = parsed.filter((m): m is string => typeof m === 'string');
  } catch {
    /* a hand-edited row: shown without models */
  }
  return {
    id: String(r['id']),
    feature: String(r['feature']),
    candidate: String(r['candidate']),
    scorer: String(r['scorer']),
    sample_requested: numberOf(r['sample_requested']) ?? 0,
    status: String(r['status']) as EvalRunStatus,
    created_at: iso(r['created_at'])!,
    finished_at: iso(r['finished_at']),
    planned: numberOf(r['planned']) ?? 0,
    scored: numberOf(r['scored']) ?? 0,
    passed: numberOf(r['passed']) ?? 0,
    failed_calls: numberOf(r['failed_calls']) ?? 0,
    score_sum: Number(r['score_sum'] ?? 0),
    original_cost: dec(r['original_cost']) ?? '0',
    candidate_cost: dec(r['candidate_cost']) ?? '0',
    original_models: models,
    error: textOf(r['error']),
  };
}
