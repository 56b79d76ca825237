/**
 * The routing table a process runs with: compiled from the config's `routing:` section, or from
 * `<data>/routing-rules.json` once `PUT /api/routing/rules` has replaced it (the file wins at the
 * next start, so an API change survives a restart). A replacement is compiled first and swapped
 * whole, so a bad one changes nothing and calls never see half a rule set.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderRouter } from '../gateway/provider-router.js';
import type { PriceBookSource } from '../pricing/current-price-book.js';
import { zodMessage } from '../pricing/catalog-loader.js';
import { builtinCapabilities, type CapabilityTable } from './model-capabilities.js';
import { emptyRoutingSection, RoutingSectionSchema, type RoutingSection } from './routing-schema.js';
import { RoutingTable, type BudgetUsageView } from './routing-table.js';

export const ROUTING_RULES_FILE = 'routing-rules.json';

export interface RoutingServiceOptions {
  router: ProviderRouter;
  book: PriceBookSource;
  /** The config file's `routing:` section (default: none). */
  config?: RoutingSection;
  /** Where API changes are kept; none: in memory only. */
  dataDir?: string;
  budgets?: BudgetUsageView;
  capabilities?: CapabilityTable;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export class RoutingService {
  private current: RoutingTable;
  private origin: 'config' | 'api';
  private readonly capabilities: CapabilityTable;

  constructor(private readonly o: RoutingServiceOptions) {
    this.capabilities = o.capabilities ?? builtinCapabilities();
    const saved = o.dataDir ? readSaved(join(o.dataDir, ROUTING_RULES_FILE)) : undefined;
    if (saved && o.config && JSON.stringify(saved) !== JSON.stringify(o.config)) {
      o.log?.('warn', `routing rules come from ${ROUTING_RULES_FILE} (set through the API), not the config file's routing: section; PUT /api/routing/rules or delete the file to change that`);
    }
    this.origin = saved ? 'api' : 'config';
    this.current = this.compile(saved ?? o.config ?? emptyRoutingSection());
  }

  /** The table calls are routed with now (read per call). */
  readonly table = (): RoutingTable => this.current;

  get source(): 'config' | 'api' {
    return this.origin;
  }

  /** Validates, compiles, persists and swaps in a new rule set; throws (with the entry's key) and changes nothing when it is wrong. */
  replace(input: unknown): RoutingTable {
    const parsed = RoutingSectionSchema.safeParse(input);
    if (!parsed.success) throw new Error(`routing: ${zodMessage(parsed.error)}`);
    const next = this.compile(parsed.data);
    if (this.o.dataDir) {
      mkdirSync(this.o.dataDir, { recursive: true, mode: 0o700 });
      const file = join(this.o.dataDir, ROUTING_RULES_FILE);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(parsed.data, null, 2) + '\n', { mode: 0o600 });
      renameSync(tmp, file);
    }
    this.current = next;
    this.origin = 'api';
    return next;
  }

  private compile(section: RoutingSection): RoutingTable {
    return new RoutingTable(section, { router: this.o.router, book: this.o.book, capabilities: this.capabilities, budgets: this.o.budgets });
  }
}

function readSaved(file: string): RoutingSection | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = RoutingSectionSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${zodMessage(parsed.error)} (written by PUT /api/routing/rules; fix or delete it)`);
  return parsed.data;
}
