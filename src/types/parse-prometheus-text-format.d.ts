/**
 * Types for parse-prometheus-text-format (it ships none): the prom2json shape it returns. Values
 * stay strings, as in the text format (`1.5e+06`, `NaN`, `+Inf`), so the caller decides how to
 * read them.
 */
declare module 'parse-prometheus-text-format' {
  export interface PromSample {
    labels?: Record<string, string>;
    /** Counters, gauges and untyped samples. */
    value?: string;
    /** Histograms and summaries. */
    sum?: string;
    count?: string;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    timestamp_ms?: string;
  }
  export interface PromFamily {
    name: string;
    help: string;
    /** Upper case: COUNTER, GAUGE, HISTOGRAM, SUMMARY or UNTYPED. */
    type: string;
    metrics: PromSample[];
  }
  /** Throws InvalidLineError ("Encountered invalid line: <line>") on a malformed line. */
  export default function parsePrometheusTextFormat(text: string): PromFamily[];
}
