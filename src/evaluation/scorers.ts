/**
 * How a candidate's answer is judged against the original's. Every scorer answers a score in
 * [0, 1] and a pass/fail, or `null` when it cannot judge (an unparsable verdict, an embedding call
 * that failed): unjudged samples are counted apart, never counted as passes.
 *
 * - `exact`: the two answers equal after trimming and collapsing whitespace (classifiers,
 *   extraction with one right answer);
 * - `json`: both answers parse as JSON and are deeply equal (key order ignored);
 * - `json-schema`: the candidate's answer parses as JSON and validates against a schema the user
 *   gives (Ajv, draft 2020-12 and draft-07); the original is not consulted;
 * - `embedding:MODEL[:THRESHOLD]`: cosine similarity of the two answers' embeddings, computed by
 *   MODEL through the gateway (recorded and budgeted as eval calls), passing at THRESHOLD (default 0.9);
 * - `judge:MODEL`: MODEL, through the gateway, is asked whether the candidate's answer is as good
 *   as the original for the same request, and must answer PASS or FAIL.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';

export interface Verdict {
  score: number | null;
  passed: boolean | null;
  note?: string;
}

/** What a scorer may ask of the gateway (eval calls are recorded and budgeted like any call). */
export interface ScorerCalls {
  embed(model: string, texts: readonly string[]): Promise<number[][]>;
  complete(model: string, prompt: string): Promise<string>;
}

export interface Scorer {
  readonly name: string;
  score(input: { request: string; original: string; candidate: string }): Promise<Verdict>;
}

export class ScorerSpecError extends Error {
  override readonly name = 'ScorerSpecError';
}

const squash = (s: string): string => s.trim().replace(/\s+/g, ' ');

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  // Models often fence JSON in markdown; the fence is not part of the answer.
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : text) };
  } catch {
    return { ok: false };
  }
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || a.length !== b.length) throw new Error(`embeddings of different lengths (${a.length}, ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

const JUDGE_PROMPT = (request: string, original: string, candidate: string): string =>
  [
    'You compare two answers to the same request. Answer A is the reference. Decide whether answer B is as good as answer A for this request (equally correct, complete and usable; wording may differ).',
    'Reply with exactly one word: PASS if B is as good as A, FAIL otherwise.',
    '',
    `REQUEST:\n${request}`,
    '',
    `ANSWER A:\n${original}`,
    '',
    `ANSWER B:\n${candidate}`,
  ].join('\n');

/**
 * Builds a scorer from its spec (`exact`, `json`, `json-schema`, `embedding:MODEL[:T]`,
 * `judge:MODEL`); `schema` is required by `json-schema` only.
 */
export function scorerFor(spec: string, calls: ScorerCalls, schema?: unknown): Scorer {
  const [kind, ...rest] = spec.split(':');
  switch (kind) {
    case 'exact':
      if (rest.length) throw new ScorerSpecError('exact takes no argument');
      return { name: 'exact', score: async ({ original, candidate }) => (squash(original) === squash(candidate) ? { score: 1, passed: true } : { score: 0, passed: false }) };
    case 'json':
      if (rest.length) throw new ScorerSpecError('json takes no argument');
      return {
        name: 'json',
        score: async ({ original, candidate }) => {
          const a = parseJson(original);
          const b = parseJson(candidate);
          if (!a.ok) return { score: null, passed: null, note: 'the original answer is not JSON' };
          if (!b.ok) return { score: 0, passed: false, note: 'the candidate answer is not JSON' };
          const same = JSON.stringify(canonical(a.value)) === JSON.stringify(canonical(b.value));
          return { score: same ? 1 : 0, passed: same };
        },
      };
    case 'json-schema': {
      if (rest.length) throw new ScorerSpecError('json-schema takes its schema in the request body (--schema FILE), not in the spec');
      if (schema === undefined || schema === null || typeof schema !== 'object') throw new ScorerSpecError('json-schema needs a JSON Schema object (--schema FILE)');
      const draft2020 = (schema as { $schema?: unknown }).$schema === undefined || String((schema as { $schema?: unknown }).$schema).includes('2020-12');
      let validate;
      try {
        validate = (draft2020 ? new Ajv2020({ allErrors: false, strict: false }) : new Ajv({ allErrors: false, strict: false })).compile(schema as object);
      } catch (e) {
        throw new ScorerSpecError(`the schema does not compile: ${(e as Error).message}`);
      }
      return {
        name: 'json-schema',
        score: async ({ candidate }) => {
          const b = parseJson(candidate);
          if (!b.ok) return { score: 0, passed: false, note: 'the candidate answer is not JSON' };
          const ok = validate(b.value);
          return ok ? { score: 1, passed: true } : { score: 0, passed: false, note: `schema: ${validate.errors?.[0]?.instancePath || '/'} ${validate.errors?.[0]?.message ?? 'invalid'}` };
        },
      };
    }
    case 'embedding': {
      const [model, t] = rest;
      if (!model) throw new ScorerSpecError('embedding needs a model: embedding:text-embedding-3-small[:0.9]');
      const threshold = t === undefined ? 0.9 : Number(t);
      if (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1) throw new ScorerSpecError(`embedding threshold must be in (0, 1], not "${t}"`);
      return {
        name: `embedding:${model}:${threshold}`,
        score: async ({ original, candidate }) => {
          try {
            const [a, b] = await calls.embed(model, [original, candidate]);
            const s = cosine(a ?? [], b ?? []);
            return { score: Math.max(0, Math.min(1, s)), passed: s >= threshold };
          } catch (e) {
            return { score: null, passed: null, note: `embedding failed: ${(e as Error).message}` };
          }
        },
      };
    }
    case 'judge': {
      const model = rest.join(':');
      if (!model) throw new ScorerSpecError('judge needs a model: judge:gpt-4o');
      return {
        name: `judge:${model}`,
        score: async ({ request, original, candidate }) => {
          let verdict: string;
          try {
            verdict = await calls.complete(model, JUDGE_PROMPT(request, original, candidate));
          } catch (e) {
            return { score: null, passed: null, note: `judge failed: ${(e as Error).message}` };
          }
          const word = /\b(PASS|FAIL)\b/i.exec(verdict)?.[1]?.toUpperCase();
          if (word === undefined) return { score: null, passed: null, note: `judge answered neither PASS nor FAIL: ${verdict.slice(0, 80)}` };
          return word === 'PASS' ? { score: 1, passed: true } : { score: 0, passed: false };
        },
      };
    }
    default:
      throw new ScorerSpecError(`unknown scorer "${spec}": use exact, json, json-schema, embedding:MODEL[:THRESHOLD] or judge:MODEL`);
  }
}
