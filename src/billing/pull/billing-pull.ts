/**
 * `costrail billing pull` and the scheduled pull in `serve`: a provider's cost report fetched from its
 * admin API and imported through the same path as `costrail import billing` — so a pull is idempotent
 * (the same figures change nothing) and a later pull of a period replaces that period's lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importBillingFile, type BillingImportResult } from '../billing-import.js';
import type { Store } from '../../store/store.js';
import type { Environment } from '../../config/environment.js';
import { fetchCostPages, PULL_PROVIDERS, type AdminApiTarget, type FetchCostOptions, type PullProvider } from './admin-cost-client.js';

const FORMAT = { openai: 'openai-costs', anthropic: 'anthropic-cost-report' } as const;
const DEFAULT_BASE = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' } as const;

/**
 * Where each provider's admin API is and the key it takes, from the environment: the admin key
 * (`COSTRAIL_<P>_ADMIN_KEY`), the admin base URL (`COSTRAIL_<P>_ADMIN_BASE_URL`, else the provider's
 * own `COSTRAIL_<P>_BASE_URL`, else the public endpoint). Providers without a key are left out.
 */
export function adminTargets(env: Environment): AdminApiTarget[] {
  return PULL_PROVIDERS.flatMap((provider) => {
    const up = provider.toUpperCase();
    const adminKey = env[`COSTRAIL_${up}_ADMIN_KEY`];
    if (!adminKey) return [];
    const baseUrl = env[`COSTRAIL_${up}_ADMIN_BASE_URL`] ?? env[`COSTRAIL_${up}_BASE_URL`] ?? DEFAULT_BASE[provider];
    return [{ provider, adminKey, baseUrl }];
  });
}

export interface BillingPullResult {
  provider: PullProvider;
  from: string;
  to: string;
  pages: number;
  /** When the pull finished (or failed). */
  at: string;
  status: 'imported' | 'already_imported' | 'empty' | 'refused' | 'failed';
  /** The import's summary; absent when the pull failed before importing. */
  import?: BillingImportResult;
  error?: string;
}

/** Fetches [from, to) from the provider's admin API and imports it as billed line items. */
export async function pullBilling(store: Store, target: AdminApiTarget, range: { from: string; to: string }, o: Omit<FetchCostOptions, 'from' | 'to'> = {}): Promise<BillingPullResult> {
  const base = { provider: target.provider, from: range.from, to: range.to };
  let pages: unknown[];
  try {
    pages = await fetchCostPages(target, { ...o, ...range });
  } catch (e) {
    return { ...base, pages: 0, at: new Date().toISOString(), status: 'failed', error: (e as Error).message };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costrail-pull-'));
  try {
    const file = path.join(dir, `${target.provider}-costs.json`);
    fs.writeFileSync(file, JSON.stringify({ pages }));
    const result = await importBillingFile(store, file, { format: FORMAT[target.provider], fileLabel: `${target.provider} admin API ${range.from.slice(0, 10)}..${range.to.slice(0, 10)}` });
    const first = result.invalid[0];
    return { ...base, pages: pages.length, at: new Date().toISOString(), status: result.status, import: result, ...(first ? { error: `${result.invalid_count} invalid line(s) (first: line ${first.line}: ${first.error}); nothing imported` } : {}) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The most recent pulls, newest first (in memory: what `GET /api/billing/pulls` shows). */
export class BillingPullLog {
  private readonly entries: BillingPullResult[] = [];
  constructor(private readonly limit = 50) {}
  add(r: BillingPullResult): void {
    this.entries.unshift(r);
    if (this.entries.length > this.limit) this.entries.pop();
  }
  list(): BillingPullResult[] {
    return this.entries.slice();
  }
}
