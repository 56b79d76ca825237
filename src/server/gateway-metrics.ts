/**
 * Prometheus metrics of the gateway itself (`GET /metrics`). Fed from each ledger record as it
 * is written, so metrics and ledger can never disagree. Label values are bounded: past a cap of
 * distinct values per label, new ones are folded into "other" so a client sending random model
 * or team names cannot blow up the metric store. Keys never appear in labels.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { LedgerWriterStats } from '../ledger/ledger-writer.js';

const MAX_DISTINCT = 100;

class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly cap = MAX_DISTINCT) {}
  value(v: string | null | undefined): string {
    const s = v ?? 'none';
    if (this.seen.has(s)) return s;
    if (this.seen.size >= this.cap) return 'other';
    this.seen.add(s);
    return s;
  }
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly models = new BoundedLabel();
  private readonly teams = new BoundedLabel();
  private readonly requests = new Counter({ name: 'costrail_requests_total', help: 'Gateway calls by provider, model, team and ledger status', labelNames: ['provider', 'model', 'team', 'status'], registers: [this.registry] });
  private readonly tokens = new Counter({ name: 'costrail_tokens_total', help: 'Tokens by provider, model, team and kind (input, cache_read, cache_write, output, reasoning)', labelNames: ['provider', 'model', 'team', 'kind'], registers: [this.registry] });
  // Prometheus samples are floats: fine for rates and dashboards; the ledger holds the exact figures.
  private readonly cost = new Counter({ name: 'costrail_cost_usd_total', help: 'Priced spend in USD (approximate; the ledger is exact)', labelNames: ['provider', 'model', 'team'], registers: [this.registry] });
  private readonly unpriced = new Counter({ name: 'costrail_unpriced_requests_total', help: 'Calls with usage but no known price', labelNames: ['provider', 'model'], registers: [this.registry] });
  private readonly duration = new Histogram({ name: 'costrail_request_duration_seconds', help: 'Whole call duration as seen by the gateway', labelNames: ['provider', 'stream'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [this.registry] });
  private readonly ttft = new Histogram({ name: 'costrail_time_to_first_byte_seconds', help: 'Time to the first response byte from the provider', labelNames: ['provider', 'stream'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });

  private readonly overhead = new Histogram({ name: 'costrail_gateway_overhead_seconds', help: 'Time Costrail holds a call before forwarding it (routing, keys, policy, body handling)', labelNames: ['provider'], buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1], registers: [this.registry] });
  private readonly upstream = new Histogram({ name: 'costrail_upstream_latency_seconds', help: 'Time from forwarding a call to the provider answering with headers', labelNames: ['provider'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry] });

  constructor(spoolDepth: () => number, ledger?: () => LedgerWriterStats) {
    new Gauge({ name: 'costrail_ledger_spool_depth', help: 'Ledger records spooled but not yet committed to the store', registers: [this.registry], collect() { this.set(spoolDepth()); } });
    if (!ledger) return;
    // Read at scrape time from the writer, like the depth: the writer is the one source of these figures.
    new Gauge({ name: 'costrail_ledger_spool_writable', help: '1 while the spool accepts records; 0 while it cannot be written (calls are refused with 503)', registers: [this.registry], collect() { this.set(ledger().spoolWritable ? 1 : 0); } });
    new Gauge({ name: 'costrail_ledger_store_reachable', help: '1 while the ledger store commits; 0 while it is unreachable (records wait in the spool)', registers: [this.registry], collect() { this.set(ledger().storeUnavailableSince === null ? 1 : 0); } });
    new Gauge({ name: 'costrail_ledger_spool_corrupt_lines', help: 'Unreadable spool lines met by recovery since start (kept in .corrupt segment files)', registers: [this.registry], collect() { this.set(ledger().corruptLines); } });
    new Gauge({ name: 'costrail_ledger_dead_letter_records', help: 'Records the store refused for their content since start, moved to <data>/dead-letter/', registers: [this.registry], collect() { this.set(ledger().quarantined); } });
  }

  private readonly billingPulls = new Counter({ name: 'costrail_billing_pulls_total', help: 'Billing pulls from the providers\' admin cost APIs by provider and outcome (imported, already_imported, empty, refused, failed)', labelNames: ['provider', 'status'], registers: [this.registry] });

  observeBillingPull(provider: string, status: string): void {
    this.billingPulls.inc({ provider, status });
  }

  /** Per forwarded call: Costrail's own time before forwarding, and the provider's time to headers. */
  observeTimings(provider: string, overheadMs: number, upstreamHeadersMs: number): void {
    this.overhead.observe({ provider }, overheadMs / 1000);
    this.upstream.observe({ provider }, upstreamHeadersMs / 1000);
  }

  observe(r: LedgerRecord): void {
    const model = this.models.value(r.model ?? r.model_requested);
    const team = this.teams.value(r.attribution.team);
    this.requests.inc({ provider: r.provider, model, team, status: r.status });
    if (r.usage) {
      const u = r.usage;
      const kinds: [string, number][] = [
        ['input', u.input_tokens + u.audio_input_tokens + u.image_input_tokens],
        ['cache_read', u.cache_read_tokens + u.audio_cache_read_tokens],
        ['cache_write', u.cache_write_tokens + u.cache_write_1h_tokens],
        ['output', u.output_tokens + u.audio_output_tokens],
        ['reasoning', u.reasoning_tokens],
      ];
      for (const [kind, n] of kinds) if (n > 0) this.tokens.inc({ provider: r.provider, model, team, kind }, n);
      if (!r.priced) this.unpriced.inc({ provider: r.provider, model });
    }
    if (r.cost) this.cost.inc({ provider: r.provider, model, team }, Number(r.cost.total));
    const stream = String(r.stream);
    if (r.duration_ms !== null) this.duration.observe({ provider: r.provider, stream }, r.duration_ms / 1000);
    if (r.ttft_ms !== null) this.ttft.observe({ provider: r.provider, stream }, r.ttft_ms / 1000);
  }
}
