// Dependency-free (no Node modules): spec.ts imports it, and the dashboard type-checks spec.ts.
/** What the ledger records of a request's shape (the ledger record's fields of the same names). */
export interface RequestShape {
  /** SHA-256 of the API, the model and the canonical body less the fields that do not change the answer. */
  request_hash: string;
  /** SHA-256 of the stable prefix (system/developer prompt, tools, cached blocks); null when there is none. */
  prompt_prefix_hash: string | null;
  /** The prefix's size in tokens, estimated as its canonical JSON's UTF-8 bytes / 4 (rounded up). */
  prompt_prefix_tokens: number | null;
  message_count: number | null;
  tool_count: number | null;
  max_output_tokens: number | null;
}
