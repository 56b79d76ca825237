/**
 * Tokens served per model from Prometheus text scraped off a model server, as per-interval deltas:
 *
 * - vLLM (and SGLang, which names them alike): counters `vllm:prompt_tokens_total` and
 *   `vllm:generation_tokens_total`, labelled `model_name`;
 * - Hugging Face TGI: histograms `tgi_request_input_length` and `tgi_request_generated_tokens`, whose
 *   `_sum` is the cumulative token count (TGI has no model label: the caller names the model).
 *
 * A file holds several scrapes, each introduced by a `# scraped_at <ISO 8601 instant>` comment (what
 * `{ echo "# scraped_at $(date -u +%FT%TZ)"; curl -s host:8000/metrics; } >> vllm.prom` writes).
 * Counters are cumulative since the server started, so what was served between two scrapes is the
 * difference; a counter lower than before means the server restarted, and its value is what was
 * served since (the tokens between the last scrape and the restart are lost, as in Prometheus's own
 * `increase()`); a series never seen before started from zero in between, and one missing from a
 * scrape (the server was down) is compared with its last value when it comes back.
 *
 * Parsing is parse-prometheus-text-format (docs/architecture.md, library notes); it names the bad
 * line's text but not its number, so each scrape is parsed on its own and errors are placed here.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { GpuInputError } from './gpu-usage-fields.js';

/** At most this many tokens of one kind per model per interval (10^12, the ledger's own bound). */
export const MAX_INTERVAL_TOKENS = 1_000_000_000_000n;
/** A cumulative counter above 2^53 cannot be read exactly from the float text format. */
const MAX_COUNTER = 2 ** 53;
const MARKER = /^#\s*scraped_at\s+(\S+)\s*$/;

export interface PromOptions {
  /** The model for series without a `model_name` label (TGI). */
  model?: string;
}

/** Tokens one model served between two scrapes. */
export interface PromInterval {
  start: string;
  end: string;
  model: string;
  input_tokens: bigint;
  output_tokens: bigint;
  /** The marker line of the interval's closing scrape (audit). */
  line: number;
}

interface Scrape {
  at: number;
  /** 1-based line of the `# scraped_at` marker. */
  line: number;
  lines: string[];
}

type Kind = 'input' | 'output';

/** The counters read, by metric name: which kind of token, and whether the value is a histogram's `_sum`. */
const COUNTERS: Record<string, { kind: Kind; histogram: boolean }> = {
  'vllm:prompt_tokens_total': { kind: 'input', histogram: false },
  'vllm:prompt_tokens': { kind: 'input', histogram: false },
  'vllm:generation_tokens_total': { kind: 'output', histogram: false },
  'vllm:generation_tokens': { kind: 'output', histogram: false },
  'sglang:prompt_tokens_total': { kind: 'input', histogram: false },
  'sglang:generation_tokens_total': { kind: 'output', histogram: false },
  tgi_request_input_length: { kind: 'input', histogram: true },
  tgi_request_generated_tokens: { kind: 'output', histogram: true },
  // Without a TYPE line the parser reads a histogram's `_sum` as a family of its own.
  tgi_request_input_length_sum: { kind: 'input', histogram: false },
  tgi_request_generated_tokens_sum: { kind: 'output', histogram: false },
};

/** `true` when the text looks like Prometheus exposition rather than CSV (its first line is a comment or a sample). */
export function looksLikePrometheus(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return first.startsWith('#') || /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{|\s+[-+0-9.eEaNIinf]+\s*$)/.test(first);
}

function splitScrapes(text: string): Scrape[] {
  const scrapes: Scrape[] = [];
  const all = text.split(/\r?\n/);
  all.forEach((raw, i) => {
    const m = MARKER.exec(raw.trim());
    if (m) {
      const at = Date.parse(m[1]!);
      if (!/(Z|[+-]\d{2}:?\d{2})$/.test(m[1]!) || !Number.isFinite(at)) throw new GpuInputError(`line ${i + 1}: "# scraped_at ${m[1]}" is not an ISO 8601 instant with a time zone`);
      const prev = scrapes[scrapes.length - 1];
      if (prev && at <= prev.at) throw new GpuInputError(`line ${i + 1}: scrape at ${m[1]} is not after the one at line ${prev.line} (scrapes must be in time order)`);
      scrapes.push({ at, line: i + 1, lines: [] });
      return;
    }
    const current = scrapes[scrapes.length - 1];
    if (current) current.lines.push(raw);
    else if (raw.trim() !== '' && !raw.trim().startsWith('#')) throw new GpuInputError(`line ${i + 1}: a sample before the first "# scraped_at <ISO instant>" line (each scrape must say when it was taken)`);
  });
  if (scrapes.length < 2) throw new GpuInputError(`${scrapes.length} scrape(s) found: counters are cumulative, so at least two "# scraped_at <ISO instant>" scrapes are needed to take a difference`);
  return scrapes;
}

/** The file line of a sample (for errors): the first line of the scrape naming the metric and its model. */
function lineOf(s: Scrape, metric: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const i = s.lines.findIndex((l) => {
    const t = l.trim();
    return (t.startsWith(`${metric}{`) || t.startsWith(`${metric} `)) && wanted.every((w) => t.includes(w));
  });
  return i < 0 ? s.line : s.line + 1 + i;
}

function tokenCount(raw: string | undefined, where: () => string): number {
  const v = raw === undefined ? NaN : Number(raw);
  if (!Number.isFinite(v)) throw new GpuInputError(`${where()}: counter value "${raw}" is not a finite number`);
  if (v < 0) throw new GpuInputError(`${where()}: counter value ${raw} is negative (a token counter only grows)`);
  if (v > MAX_COUNTER) throw new GpuInputError(`${where()}: counter value ${raw} is beyond 2^53 and cannot be read exactly`);
  if (!Number.isInteger(v)) throw new GpuInputError(`${where()}: counter value ${raw} is not a whole number of tokens`);
  return v;
}

interface Series {
  model: string;
  kind: Kind;
  value: bigint;
  line: number;
}

function readScrape(s: Scrape, opts: PromOptions): Map<string, Series> {
  let families;
  try {
    // The trailing newline matters: the parser drops a last sample that has none.
    families = parsePrometheusTextFormat(s.lines.join('\n') + '\n');
  } catch (e) {
    const text = (e as Error).message.replace(/^Encountered invalid line: /, '');
    const at = s.lines.findIndex((l) => l.trim() === text.trim());
    throw new GpuInputError(`line ${at < 0 ? s.line : s.line + 1 + at}: not Prometheus text exposition: ${text.slice(0, 120)}`);
  }
  const out = new Map<string, Series>();
  for (const f of families) {
    // Own keys only: a metric named `constructor` must not reach Object.prototype.
    const counter = Object.hasOwn(COUNTERS, f.name) ? COUNTERS[f.name] : undefined;
    if (!counter) continue;
    for (const m of f.metrics) {
      const labels = m.labels ?? {};
      const metricName = counter.histogram ? `${f.name}_sum` : f.name;
      const where = (): string => `line ${lineOf(s, metricName, labels)} (${metricName})`;
      const model = labels['model_name'] ?? opts.model;
      if (!model) throw new GpuInputError(`${where()}: no model_name label: name the model with --model`);
      const value = tokenCount(counter.histogram ? m.sum : m.value, where);
      const key = `${counter.kind}\u0000${metricName}\u0000${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
      out.set(key, { model, kind: counter.kind, value: BigInt(value), line: lineOf(s, metricName, labels) });
    }
  }
  return out;
}

/** Per-interval, per-model token deltas of a scrape log; `onScrape` reports progress. */
export function promIntervals(text: string, opts: PromOptions = {}, onScrape?: (done: number, total: number) => void): PromInterval[] {
  const scrapes = splitScrapes(text);
  const out: PromInterval[] = [];
  // The last value seen of every series, so one missed scrape (server down) neither loses nor repeats tokens.
  const known = readScrape(scrapes[0]!, opts);
  const models = new Set([...known.values()].map((x) => x.model));
  for (let i = 1; i < scrapes.length; i++) {
    const s = scrapes[i]!;
    const current = readScrape(s, opts);
    const sums = new Map<string, { input: bigint; output: bigint }>();
    for (const m of models) sums.set(m, { input: 0n, output: 0n });
    for (const [key, x] of current) {
      const before = known.get(key)?.value;
      // A lower value is a restart: the counter began again at zero.
      const delta = before === undefined || x.value < before ? x.value : x.value - before;
      if (delta > MAX_INTERVAL_TOKENS) throw new GpuInputError(`line ${x.line}: ${delta} ${x.kind} tokens for ${x.model} in one interval is beyond 10^12 (an absurd count)`);
      const sum = sums.get(x.model) ?? { input: 0n, output: 0n };
      if (x.kind === 'input') sum.input += delta;
      else sum.output += delta;
      sums.set(x.model, sum);
    }
    for (const [model, t] of [...sums.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      out.push({ start: new Date(scrapes[i - 1]!.at).toISOString(), end: new Date(s.at).toISOString(), model, input_tokens: t.input, output_tokens: t.output, line: s.line });
    }
    for (const [key, x] of current) {
      known.set(key, x);
      models.add(x.model);
    }
    onScrape?.(i + 1, scrapes.length);
  }
  return out;
}
