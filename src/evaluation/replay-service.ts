/**
 * `eval replay`: re-sends a sample of a feature's captured requests to a candidate model through
 * the gateway itself (so every replayed call is priced, recorded, attributed to the feature,
 * tagged `eval=replay`, and held to budgets like any call), scores each answer against the
 * original's, and keeps the run: pass rate, mean score, and the cost of the sample on both models.
 * A run is started by the API and goes on in the background; its progress is polled.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { Decimal } from '../pricing/decimal.js';
import type { SecretBox } from '../keys/master-key.js';
import { sealAad, EVAL_TAG } from '../capture/body-capture.js';
import type { CaptureRepository, CapturedCallRow, EvalRunRow, EvalSampleRow } from '../capture/capture-repository.js';
import { REPLAYABLE_APIS, responseOutputText } from '../capture/output-text.js';
import { NotReplayableError, replayRequest, requestText } from './replay-request.js';
import { sampleBy } from './sampling.js';
import { scorerFor, type Scorer, type ScorerCalls } from './scorers.js';

export interface ReplayParams {
  feature: string;
  candidate: string;
  sample: number;
  scorer: string;
  /** JSON Schema for the `json-schema` scorer. */
  schema?: unknown;
  /** Same seed, same sample (default: the feature's name, so candidates are compared on the same requests). */
  seed?: string;
  from?: string;
  to?: string;
  /** A key the gateway accepts (a virtual key, or a provider key in pass-through mode); held in memory for the run only. */
  apiKey?: string;
  concurrency?: number;
}

export class ReplayInputError extends Error {
  override readonly name = 'ReplayInputError';
}

const MAX_SAMPLE = 1_000;
const ERROR_NOTE_CHARS = 200;

interface Progress {
  done: number;
  finished: Promise<void>;
}

export class ReplayService {
  private readonly running = new Map<string, Progress>();

  constructor(
    private readonly opts: {
      repo: CaptureRepository;
      box: SecretBox;
      /** The gateway's base URL (this server's own). */
      gatewayUrl: () => string;
      onError?: (runId: string, err: Error) => void;
    },
  ) {}

  /** Validates, picks the sample and starts the run; returns the run as created. */
  async start(p: ReplayParams): Promise<EvalRunRow> {
    if (!Number.isInteger(p.sample) || p.sample < 1 || p.sample > MAX_SAMPLE) throw new ReplayInputError(`sample must be an integer from 1 to ${MAX_SAMPLE}`);
    const calls = this.scorerCalls(p, 'pending');
    let scorer: Scorer;
    try {
      scorer = scorerFor(p.scorer, calls, p.schema);
    } catch (e) {
      throw new ReplayInputError((e as Error).message);
    }
    const captures = (await this.opts.repo.captures({ feature: p.feature, ...(p.from ? { from: p.from } : {}), ...(p.to ? { to: p.to } : {}) })).filter((c) => REPLAYABLE_APIS.has(c.api) && c.model !== p.candidate);
    if (captures.length === 0) throw new ReplayInputError(`no captured calls of feature "${p.feature}"${p.from || p.to ? ' in that window' : ''} on a model other than ${p.candidate}: turn body capture on for it (config capture.features) and let traffic through first`);
    const chosen = sampleBy(captures, (c) => c.request_id, p.sample, p.seed ?? p.feature);
    const run: EvalRunRow = {
      id: `evr_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      feature: p.feature,
      candidate: p.candidate,
      scorer: scorer.name,
      sample_requested: p.sample,
      status: 'running',
      created_at: new Date().toISOString(),
      finished_at: null,
      planned: chosen.length,
      scored: 0,
      passed: 0,
      failed_calls: 0,
      score_sum: 0,
      original_cost: '0',
      candidate_cost: '0',
      original_models: [...new Set(chosen.map((c) => c.model ?? 'unknown'))].sort(),
      error: null,
    };
    await this.opts.repo.createRun(run);
    const progress: Progress = { done: 0, finished: Promise.resolve() };
    progress.finished = this.execute(run, chosen, { ...p, scorer: scorer.name }, scorerFor(p.scorer, this.scorerCalls(p, run.id), p.schema), progress)
      .catch(async (e: unknown) => {
        run.status = 'failed';
        run.error = (e as Error).message;
        run.finished_at = new Date().toISOString();
        this.opts.onError?.(run.id, e as Error);
        await this.opts.repo.updateRun(run).catch(() => undefined);
      })
      .finally(() => this.running.delete(run.id));
    this.running.set(run.id, progress);
    return run;
  }

  /** Samples finished so far of a run running in this process (undefined when not running here). */
  progress(runId: string): number | undefined {
    return this.running.get(runId)?.done;
  }

  /** Resolves when the run ends (tests, and a synchronous API caller). */
  async wait(runId: string): Promise<void> {
    await this.running.get(runId)?.finished;
  }

  private async execute(run: EvalRunRow, chosen: readonly CapturedCallRow[], p: ReplayParams, scorer: Scorer, progress: Progress): Promise<void> {
    let original = Decimal.ZERO;
    let candidate = Decimal.ZERO;
    const queue = [...chosen];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
        const s = await this.replayOne(run, c, p, scorer);
        await this.opts.repo.insertSample(s);
        if (s.passed !== null) {
          run.scored += 1;
          if (s.passed) run.passed += 1;
          run.score_sum += s.score ?? 0;
          // Costs compare like with like: only samples both models answered, both priced.
          if (s.original_cost !== null && s.candidate_cost !== null) {
            original = original.add(Decimal.parse(s.original_cost));
            candidate = candidate.add(Decimal.parse(s.candidate_cost));
          }
        } else if (s.candidate_request_id === null || s.note?.startsWith('candidate call failed')) run.failed_calls += 1;
        progress.done += 1;
        if (progress.done % 10 === 0) {
          run.original_cost = original.toString();
          run.candidate_cost = candidate.toString();
          await this.opts.repo.updateRun(run);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(p.concurrency ?? 4, 16)) }, worker));
    run.original_cost = original.toString();
    run.candidate_cost = candidate.toString();
    run.status = 'done';
    run.finished_at = new Date().toISOString();
    await this.opts.repo.updateRun(run);
  }

  private async replayOne(run: EvalRunRow, c: CapturedCallRow, p: ReplayParams, scorer: Scorer): Promise<EvalSampleRow> {
    const base: EvalSampleRow = { run_id: run.id, request_id: c.request_id, candidate_request_id: null, original_model: c.model, score: null, passed: null, original_cost: c.cost, candidate_cost: null, note: null };
    let req: Record<string, unknown>;
    let originalText: string;
    try {
      req = JSON.parse(this.opts.box.open(c.request_sealed, sealAad(c.request_id, 'request'))) as Record<string, unknown>;
      originalText = this.opts.box.open(c.output_sealed, sealAad(c.request_id, 'output'));
    } catch (e) {
      return { ...base, note: `capture cannot be opened (${(e as Error).message}): was the master key changed?` };
    }
    let target;
    try {
      target = replayRequest(c.api, c.path, req, p.candidate);
    } catch (e) {
      if (e instanceof NotReplayableError) return { ...base, note: e.message };
      throw e;
    }
    const res = await this.call(target.path, target.body, c.api, p, { team: c.team, tags: `${EVAL_TAG}=replay; eval_run=${run.id}` });
    if (res.status >= 400) return { ...base, candidate_request_id: res.requestId, note: `candidate call failed: ${res.status} ${res.text.slice(0, ERROR_NOTE_CHARS)}` };
    let candidateText: string;
    try {
      candidateText = responseOutputText(c.api, JSON.parse(res.text));
    } catch {
      return { ...base, candidate_request_id: res.requestId, note: 'candidate call failed: the answer is not JSON' };
    }
    const verdict = await scorer.score({ request: requestText(c.api, req), original: originalText, candidate: candidateText });
    return { ...base, candidate_request_id: res.requestId, candidate_cost: res.cost, score: verdict.score, passed: verdict.passed, note: verdict.note ?? null };
  }

  private async call(path: string, body: Record<string, unknown>, api: string, p: ReplayParams, who: { team: string | null; tags: string }): Promise<{ status: number; text: string; requestId: string | null; cost: string | null }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-costrail-feature': p.feature,
      'x-costrail-priority': 'background',
      'x-costrail-tags': who.tags,
    };
    if (who.team) headers['x-costrail-team'] = who.team;
    if (p.apiKey) {
      if (api === 'messages') headers['x-api-key'] = p.apiKey;
      else if (api === 'generateContent') headers['x-goog-api-key'] = p.apiKey;
      else headers['authorization'] = `Bearer ${p.apiKey}`;
    }
    if (api === 'messages') headers['anthropic-version'] = '2023-06-01';
    const res = await request(new URL(path, this.opts.gatewayUrl()), { method: 'POST', headers, body: JSON.stringify(body), headersTimeout: 600_000, bodyTimeout: 600_000 });
    const text = await res.body.text();
    const one = (h: string | string[] | undefined): string | null => (Array.isArray(h) ? (h[0] ?? null) : (h ?? null));
    return { status: res.statusCode, text, requestId: one(res.headers['x-costrail-request-id']), cost: one(res.headers['x-costrail-cost']) };
  }

  /** Embedding and judge calls go through the gateway too, tagged as the run's. */
  private scorerCalls(p: ReplayParams, runId: string): ScorerCalls {
    return {
      embed: async (model, texts) => {
        const r = await this.call('/v1/embeddings', { model, input: texts }, 'embeddings', p, { team: null, tags: `${EVAL_TAG}=score; eval_run=${runId}` });
        if (r.status >= 400) throw new Error(`${r.status} ${r.text.slice(0, ERROR_NOTE_CHARS)}`);
        const data = (JSON.parse(r.text) as { data?: { embedding?: unknown; index?: number }[] }).data ?? [];
        return [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map((d) => (Array.isArray(d.embedding) ? d.embedding.map(Number) : []));
      },
      complete: async (model, prompt) => {
        const r = await this.call('/v1/chat/completions', { model, messages: [{ role: 'user', content: prompt }], temperature: 0 }, 'chat.completions', p, { team: null, tags: `${EVAL_TAG}=judge; eval_run=${runId}` });
        if (r.status >= 400) throw new Error(`${r.status} ${r.text.slice(0, ERROR_NOTE_CHARS)}`);
        return responseOutputText('chat.completions', JSON.parse(r.text));
      },
    };
  }
}
