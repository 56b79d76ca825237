/**
 * The evaluation API: start a replay of captured requests against a candidate model, follow it,
 * read the feature's cost–quality frontier. Admin only: replays spend money and read captured
 * prompts (through the gateway's own path, never returned here).
 */
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import type { ApiRouter } from '../http/api-router.js';
import type { CaptureRepository, EvalRunRow } from '../capture/capture-repository.js';
import type { BodyCapture } from '../capture/body-capture.js';
import { frontier, passRate } from './eval-frontier.js';
import { ReplayInputError, type ReplayService } from './replay-service.js';

export interface EvalRoutesDeps {
  replays: ReplayService;
  captures: CaptureRepository;
  /** Undefined when capture is not configured. */
  capture: BodyCapture | undefined;
}

const iso = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 instant');

export const ReplayBodySchema = z
  .object({
    feature: z.string().min(1).max(200),
    candidate: z.string().min(1).max(200),
    sample: z.number().int().min(1).max(1000).default(50),
    scorer: z.string().min(1).max(300).default('exact'),
    schema: z.record(z.string(), z.unknown()).optional(),
    seed: z.string().max(200).optional(),
    from: iso.optional(),
    to: iso.optional(),
    api_key: z.string().min(1).max(500).optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    /** Answer when the run has finished instead of at once. */
    wait: z.boolean().optional(),
  })
  .strict();

const RunSchema = z.object({
  id: z.string(),
  feature: z.string(),
  candidate: z.string(),
  scorer: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  created_at: z.string(),
  finished_at: z.string().nullable(),
  planned: z.number(),
  done: z.number(),
  scored: z.number(),
  passed: z.number(),
  failed_calls: z.number(),
  pass_rate: z.string().nullable(),
  mean_score: z.string().nullable(),
  original_cost: z.string(),
  candidate_cost: z.string(),
  original_models: z.array(z.string()),
  error: z.string().nullable(),
});

export function runView(run: EvalRunRow, done: number | undefined): z.infer<typeof RunSchema> {
  return {
    id: run.id,
    feature: run.feature,
    candidate: run.candidate,
    scorer: run.scorer,
    status: run.status,
    created_at: run.created_at,
    finished_at: run.finished_at,
    planned: run.planned,
    done: done ?? (run.status === 'running' ? run.scored + run.failed_calls : run.planned),
    scored: run.scored,
    passed: run.passed,
    failed_calls: run.failed_calls,
    pass_rate: passRate(run),
    mean_score: run.scored === 0 ? null : (run.score_sum / run.scored).toFixed(4),
    original_cost: run.original_cost,
    candidate_cost: run.candidate_cost,
    original_models: run.original_models,
    error: run.error,
  };
}

export function registerEvalRoutes(api: ApiRouter, deps: EvalRoutesDeps): void {
  api.add({
    method: 'POST',
    path: '/api/eval/replays',
    summary: 'Replay a sample of a feature\'s captured requests on a candidate model through the gateway and score the answers (runs in the background unless wait is true)',
    tag: 'Evaluation',
    access: 'admin',
    body: ReplayBodySchema,
    response: RunSchema,
    handler: async (req) => {
      const b = req.body;
      let run: EvalRunRow;
      try {
        run = await deps.replays.start({
          feature: b.feature,
          candidate: b.candidate,
          sample: b.sample,
          scorer: b.scorer,
          ...(b.schema !== undefined ? { schema: b.schema } : {}),
          ...(b.seed !== undefined ? { seed: b.seed } : {}),
          ...(b.from !== undefined ? { from: b.from } : {}),
          ...(b.to !== undefined ? { to: b.to } : {}),
          ...(b.api_key !== undefined ? { apiKey: b.api_key } : {}),
          ...(b.concurrency !== undefined ? { concurrency: b.concurrency } : {}),
        });
      } catch (e) {
        if (e instanceof ReplayInputError) throw ApiError.badRequest(e.message);
        throw e;
      }
      if (b.wait) {
        await deps.replays.wait(run.id);
        run = (await deps.captures.run(run.id)) ?? run;
      }
      return { status: 201, body: runView(run, deps.replays.progress(run.id)) };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/eval/replays',
    summary: 'Replay runs, newest first',
    tag: 'Evaluation',
    access: 'admin',
    queryParams: { feature: 'only this feature\'s runs', candidate: 'only runs of this candidate model' },
    response: z.object({ runs: z.array(RunSchema) }),
    handler: async (req) => {
      const feature = req.query.get('feature') ?? undefined;
      const candidate = req.query.get('candidate') ?? undefined;
      const runs = await deps.captures.runs({ ...(feature ? { feature } : {}), ...(candidate ? { candidate } : {}) });
      return { body: { runs: runs.map((r) => runView(r, deps.replays.progress(r.id))) } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/eval/replays/{id}',
    summary: 'One replay run with its progress and per-sample verdicts (no bodies)',
    tag: 'Evaluation',
    access: 'admin',
    handler: async (req) => {
      const run = await deps.captures.run(req.params['id'] ?? '');
      if (!run) throw ApiError.notFound(`no replay run ${req.params['id']}`);
      const samples = await deps.captures.samples(run.id);
      return { body: { ...runView(run, deps.replays.progress(run.id)), samples } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/eval/frontier',
    summary: 'A feature\'s cost–quality frontier: per candidate, its latest replay\'s pass rate and cost relative to the original models',
    tag: 'Evaluation',
    access: 'admin',
    queryParams: { feature: 'the feature (required)' },
    handler: async (req) => {
      const feature = req.query.get('feature');
      if (!feature) throw ApiError.badRequest('feature: required');
      return { body: { feature, candidates: frontier(await deps.captures.runs({ feature, limit: 1000 })) } };
    },
  });

  api.add({
    method: 'GET',
    path: '/api/captures/stats',
    summary: 'Body capture: whether it is on, captures stored, and captures dropped or skipped since start',
    tag: 'Evaluation',
    access: 'admin',
    handler: async () => ({ body: { enabled: deps.capture !== undefined, stored: await deps.captures.countCaptures(), ...(deps.capture?.stats() ?? { captured: 0, dropped_queue_full: 0, skipped_oversize: 0, write_failures: 0 }) } }),
  });
}
