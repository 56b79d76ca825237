/** Loads the verbatim provider payloads copied from ../shared/fixtures/providers into test/fixtures. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

// Tests run from the repository root (npm test); fixtures stay in the source tree, not in dist.
export const REPO_ROOT = process.cwd();
export const FIXTURE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'providers');

export interface FixtureMeta {
  case_id: string;
  provider: string;
  api: string;
  mode: string;
  files: string[];
  model_requested?: string | null;
  model_reported?: string | null;
  expected_usage: Record<string, unknown>;
  expected_cost: { total_usd: number; rates_usd_per_mtok?: Record<string, number>; components?: string[] } | null;
  [k: string]: unknown;
}

export function listCases(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.meta.json'))
    .map((f) => f.slice(0, -'.meta.json'.length))
    .sort();
}

export function loadMeta(caseId: string): FixtureMeta {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${caseId}.meta.json`), 'utf8')) as FixtureMeta;
}

export function fixturePath(file: string): string {
  return join(FIXTURE_DIR, file);
}

export function fixtureBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURE_DIR, file)));
}

export function fixtureJson(file: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
}

/** Splits bytes at the given cut points (used to replay a stream in arbitrary chunks). */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const sorted = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const c of sorted) {
    parts.push(bytes.subarray(prev, c));
    prev = c;
  }
  parts.push(bytes.subarray(prev));
  return parts;
}
