/**
 * Tokens per model from Prometheus scrapes of vLLM and TGI: cumulative counters become per-interval
 * deltas, a restart (a counter going down) counts what was served since, a new series counts from
 * zero, a missed scrape neither loses nor repeats tokens; hostile text is refused naming its line.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { looksLikePrometheus, promIntervals } from '../../src/inventory/gpu-prometheus.js';
import { GpuInputError } from '../../src/inventory/gpu-usage-fields.js';

const vllm = (at: string, input: string, output: string, model = 'meta-llama/Llama-3.1-8B-Instruct'): string =>
  [
    `# scraped_at ${at}`,
    '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.',
    '# TYPE vllm:prompt_tokens_total counter',
    `vllm:prompt_tokens_total{engine="0",model_name="${model}"} ${input}`,
    '# HELP vllm:generation_tokens_total Number of generation tokens processed.',
    '# TYPE vllm:generation_tokens_total counter',
    `vllm:generation_tokens_total{engine="0",model_name="${model}"} ${output}`,
  ].join('\n');

/** TGI as its /metrics shows it: token histograms, no model label. */
const tgi = (at: string, input: string, output: string): string =>
  [
    `# scraped_at ${at}`,
    '# TYPE tgi_request_input_length histogram',
    `tgi_request_input_length_bucket{le="1024"} 10`,
    `tgi_request_input_length_sum ${input}`,
    `tgi_request_input_length_count 12`,
    '# TYPE tgi_request_generated_tokens histogram',
    `tgi_request_generated_tokens_bucket{le="512"} 12`,
    `tgi_request_generated_tokens_sum ${output}`,
    `tgi_request_generated_tokens_count 12`,
  ].join('\n');

const refused = (text: string, pattern: RegExp, opts = {}): void => {
  assert.throws(() => promIntervals(text, opts), (e: unknown) => e instanceof GpuInputError && pattern.test(e.message));
};

describe('Prometheus token counters', () => {
  it('takes deltas between consecutive scrapes, in vLLM float notation', () => {
    const text = [vllm('2026-11-01T00:00:00Z', '1.5e+06', '2000.0'), vllm('2026-11-01T01:00:00Z', '2500000.0', '2600.0'), vllm('2026-11-01T02:00:00Z', '2500000.0', '2600.0')].join('\n');
    assert.deepEqual(promIntervals(text), [
      { start: '2026-11-01T00:00:00.000Z', end: '2026-11-01T01:00:00.000Z', model: 'meta-llama/Llama-3.1-8B-Instruct', input_tokens: 1_000_000n, output_tokens: 600n, line: 8 },
      { start: '2026-11-01T01:00:00.000Z', end: '2026-11-01T02:00:00.000Z', model: 'meta-llama/Llama-3.1-8B-Instruct', input_tokens: 0n, output_tokens: 0n, line: 15 },
    ]);
  });

  it('a counter that went down is a restart: what it shows was served since', () => {
    const text = [vllm('2026-11-01T00:00:00Z', '900', '90'), vllm('2026-11-01T01:00:00Z', '1000', '100'), vllm('2026-11-01T02:00:00Z', '40', '4'), vllm('2026-11-01T03:00:00Z', '50', '5')].join('\n');
    assert.deepEqual(promIntervals(text).map((i) => [i.input_tokens, i.output_tokens]), [[100n, 10n], [40n, 4n], [10n, 1n]]);
  });

  it('sums engines of one model, counts a new model from zero, and bridges a scrape the server missed', () => {
    const two = (at: string, a: string, b: string): string => `${vllm(at, a, '0')}\nvllm:prompt_tokens_total{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} ${b}`;
    const text = [
      two('2026-11-01T00:00:00Z', '100', '1000'),
      `${two('2026-11-01T01:00:00Z', '150', '1100')}\n${vllm('2026-11-01T01:00:00Z', '7', '3', 'Qwen/Qwen3-32B').split('\n').slice(3).join('\n')}`,
      '# scraped_at 2026-11-01T02:00:00Z',
      two('2026-11-01T03:00:00Z', '170', '1130'),
    ].join('\n');
    const rows = promIntervals(text).map((i) => [i.end.slice(11, 13), i.model, i.input_tokens, i.output_tokens]);
    assert.deepEqual(rows, [
      ['01', 'meta-llama/Llama-3.1-8B-Instruct', 150n, 0n],
      ['01', 'Qwen/Qwen3-32B', 7n, 3n],
      ['02', 'meta-llama/Llama-3.1-8B-Instruct', 0n, 0n],
      ['02', 'Qwen/Qwen3-32B', 0n, 0n],
      ['03', 'meta-llama/Llama-3.1-8B-Instruct', 50n, 0n],
      ['03', 'Qwen/Qwen3-32B', 0n, 0n],
    ]);
  });

  it('reads TGI histogram sums, the model named by the caller', () => {
    const text = [tgi('2026-11-01T00:00:00Z', '1000', '300'), tgi('2026-11-02T00:00:00Z', '5200', '1100')].join('\n');
    assert.deepEqual(promIntervals(text, { model: 'mistralai/Mistral-Nemo-Instruct-2407' }).map((i) => [i.model, i.input_tokens, i.output_tokens]), [['mistralai/Mistral-Nemo-Instruct-2407', 4200n, 800n]]);
    refused(text, /line 4 \(tgi_request_input_length_sum\): no model_name label: name the model with --model/);
  });

  it('tells Prometheus text from CSV', () => {
    assert.equal(looksLikePrometheus('# scraped_at 2026-11-01T00:00:00Z\n'), true);
    assert.equal(looksLikePrometheus('vllm:prompt_tokens_total{model_name="x"} 1\n'), true);
    assert.equal(looksLikePrometheus('day,instance_type,gpu_hours\n2026-11-01,H100,24\n'), false);
  });

  it('refuses hostile scrapes, naming the line', () => {
    const ok = vllm('2026-11-01T00:00:00Z', '10', '1');
    refused(ok, /1 scrape\(s\) found: .*at least two/);
    refused(`vllm:prompt_tokens_total{model_name="m"} 5\n${ok}`, /^line 1: a sample before the first "# scraped_at/);
    refused(`${ok}\n${vllm('2026-11-01T00:00:00Z', '20', '2')}`, /^line 8: scrape at 2026-11-01T00:00:00Z is not after the one at line 1/);
    refused(`${ok}\n# scraped_at yesterday\n`, /^line 8: "# scraped_at yesterday" is not an ISO 8601 instant/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', '-5', '2')}`, /^line 11 \(vllm:prompt_tokens_total\): counter value -5 is negative/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', 'NaN', '2')}`, /^line 11 .*"NaN" is not a finite number/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', '+Inf', '2')}`, /^line 11 .*"\+Inf" is not a finite number/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', '12.5', '2')}`, /^line 11 .*12\.5 is not a whole number of tokens/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', '1e16', '2')}`, /^line 11 .*beyond 2\^53/);
    refused(`${ok}\n${vllm('2026-11-01T01:00:00Z', '2e12', '2')}`, /^line 11: 1999999999990 input tokens for meta-llama\/Llama-3.1-8B-Instruct in one interval is beyond 10\^12/);
    // Metrics that are not token counters are never read, whatever their name.
    assert.deepEqual(promIntervals(`${ok}\n${vllm('2026-11-01T01:00:00Z', '10', '1')}\nconstructor 99\ntoString{model_name="m"} 5`).map((i) => i.output_tokens), [0n]);
    refused(`${ok}\n# scraped_at 2026-11-01T01:00:00Z\nvllm:prompt_tokens_total{model_name="m" 5\n`, /^line 9: not Prometheus text exposition: vllm:prompt_tokens_total\{model_name="m" 5/);
  });
});
