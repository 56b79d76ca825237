/**
 * The AI vendor catalog (data/ai-vendors.csv): vendors and products with their category, typical
 * billing and the card-descriptor patterns they appear under. Patterns tagged `[inferred]` in the
 * file are unverified guesses; they match like the others but the match records the tag, so a
 * reviewer can see how much to trust it. Read through DuckDB like every other CSV (no CSV library).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTable } from '../billing/tabular-file.js';
import type { BillingModel, SpendCategory } from '../store/spend-source.js';
import { descriptorKey } from './descriptor-key.js';

/** The catalog's finer categories folded into the inventory's ten (issue 19). */
const CATEGORY_OF: Record<string, SpendCategory> = {
  model_api: 'model_api',
  model_router_api: 'model_api',
  inference_platform: 'model_api',
  chat_assistant: 'chat_assistant',
  productivity_suite_ai: 'chat_assistant',
  coding_copilot: 'coding_assistant',
  coding_agent: 'coding_assistant',
  meeting_assistant: 'meeting_bot',
  transcription: 'meeting_bot',
  image_generation: 'content',
  video_generation: 'content',
  writing_assistant: 'content',
  presentation_design: 'content',
  voice_audio: 'content',
  translation: 'content',
  sales_marketing_ai: 'content',
  search_research: 'research',
  enterprise_search: 'research',
  legal_ai: 'research',
  data_analytics_ai: 'research',
  agent_platform: 'agent_platform',
  customer_support_ai: 'agent_platform',
  gpu_cloud: 'gpu_compute',
  vector_database: 'vector_db',
};

export function inventoryCategory(catalogCategory: string): SpendCategory {
  return CATEGORY_OF[catalogCategory] ?? 'other';
}

export interface CatalogPattern {
  /** The pattern as written, without its tag or notes (shown as match_pattern). */
  text: string;
  /** descriptorKey(text): what a descriptor's key must start with. */
  key: string;
  inferred: boolean;
}

export interface CatalogEntry {
  vendor: string;
  product: string;
  category: SpendCategory;
  /** The catalog's own category (finer than `category`). */
  catalog_category: string;
  billing_model: BillingModel | null;
  patterns: CatalogPattern[];
  /** A payment wrapper (app stores, resellers): its descriptors say how, not what. */
  wrapper: boolean;
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'data'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot locate the costrail package root (data/ai-vendors.csv)');
}

export const BUILTIN_VENDOR_CATALOG_PATH = join(packageRoot(), 'data', 'ai-vendors.csv');

/** `OPENAI *CHATGPT [reported]`, `CLAUDE*`, `GOOGLE *CLOUD_<billing-account-id>`, `APPLE.COM/BILL (iOS in-app)`. */
export function parsePattern(raw: string): CatalogPattern | null {
  const inferred = /\[inferred\]/i.test(raw);
  const text = raw
    .replace(/\[[a-z]+\]/gi, '')
    .replace(/\([^)]*\)/g, '')
    // A placeholder (account id, domain) varies per customer: the pattern is what comes before it.
    .replace(/[_\s]*<[^>]*>.*$/, '')
    .trim();
  const key = descriptorKey(text);
  return key.length === 0 ? null : { text, key, inferred };
}

function billingModel(typical: string | null): BillingModel | null {
  if (typical === 'seat' || typical === 'usage') return typical;
  if (typical === 'flat') return 'commit';
  return null;
}

export async function loadVendorCatalog(file = BUILTIN_VENDOR_CATALOG_PATH): Promise<CatalogEntry[]> {
  const entries: CatalogEntry[] = [];
  const fields = { vendor: ['vendor'], product: ['product'], category: ['category'], billing: ['typical_billing'], patterns: ['descriptor_patterns'] };
  for await (const batch of readTable(file, fields)) {
    for (const r of batch.rows) {
      if (!r['vendor'] || !r['product']) continue;
      const catalogCategory = r['category'] ?? 'other';
      entries.push({
        vendor: r['vendor'],
        product: r['product'],
        category: inventoryCategory(catalogCategory),
        catalog_category: catalogCategory,
        billing_model: billingModel(r['billing'] ?? null),
        patterns: (r['patterns'] ?? '').split(';').map(parsePattern).filter((p): p is CatalogPattern => p !== null),
        wrapper: catalogCategory === 'payment_wrapper',
      });
    }
  }
  return entries;
}
