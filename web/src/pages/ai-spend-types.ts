/** Shapes of the inventory endpoints the All AI spend page reads (docs/inventory.md); money is exact decimal strings. */
export interface AiSpendRow {
  key: string | null;
  amount_usd: string;
}

export interface AiSpendResult {
  rows: AiSpendRow[];
  total: string;
  parts: { ledger: string; billed: string; expenses: string; seats?: string; gpu?: string };
  excluded_prepaid: string;
  unconverted_lines: number;
}

export interface AiSpendTrend {
  granularity: 'day' | 'week' | 'month';
  rows: { period: string; total: string; by_category: AiSpendRow[] }[];
  total: string;
}

export interface InventoryFinding {
  kind: string;
  vendor: string | null;
  category: string | null;
  team: string | null;
  detail: string;
  monthly_usd: string;
}

export interface QueuedLine {
  line_hash: string;
  occurred_at: string;
  descriptor: string;
  amount: string;
  currency: string;
  amount_usd: string | null;
  employee: string | null;
  cost_centre: string | null;
  match_pattern: string | null;
}

export const SPEND_CATEGORIES = ['model_api', 'chat_assistant', 'coding_assistant', 'meeting_bot', 'content', 'research', 'agent_platform', 'gpu_compute', 'vector_db', 'other'] as const;

export const CATEGORY_LABEL: Record<string, string> = {
  model_api: 'Model APIs',
  chat_assistant: 'Chat assistants',
  coding_assistant: 'Coding assistants',
  meeting_bot: 'Meeting bots',
  content: 'Content',
  research: 'Research',
  agent_platform: 'Agent platforms',
  gpu_compute: 'GPU compute',
  vector_db: 'Vector databases',
  other: 'Other',
};

export const FINDING_LABEL: Record<string, string> = {
  duplicate_channel: 'Duplicate channel',
  unsanctioned_vendor: 'Unsanctioned vendor',
  overlapping_tools: 'Overlapping tools',
  renewal: 'Renewal',
  idle_seats: 'Idle seats',
  duplicate_seat: 'Duplicate seat',
};
