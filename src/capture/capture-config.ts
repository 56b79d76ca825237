/**
 * The `capture:` section of the serve config. Body capture keeps prompts and completions, so it is
 * off unless the operator turns it on, and then only for the keys or features named:
 *
 *   capture:
 *     enabled: true
 *     features: [triage]        # and/or keys: [key_id…]; both empty = every call
 *     retention_days: 14        # captured bodies older than this are deleted daily (default 7)
 *     max_body_bytes: 262144    # a larger request or response is not captured (default 256 KiB)
 *     sample_rate: 0.25         # capture one call in four (deterministic by request id; default 1)
 *     redact:
 *       emails: true            # default true
 *       secrets: true           # API keys, bearer tokens, card numbers (default true)
 *       patterns: ["\\bACME-\\d{6}\\b"]
 *
 * Bodies are redacted before they are written and sealed with the master key (the one that
 * encrypts provider credentials), so the database alone does not reveal them.
 */
import { z } from 'zod';

const pattern = z.string().min(1).max(500).refine((p) => {
  try {
    new RegExp(p, 'g');
    return true;
  } catch {
    return false;
  }
}, 'each redact pattern must be a valid regular expression');

export const CaptureConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    keys: z.array(z.string().min(1)).default([]),
    features: z.array(z.string().min(1)).default([]),
    retention_days: z.number().int('must be a whole number of days').min(1).max(3650).default(7),
    max_body_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
    sample_rate: z.number().gt(0, 'sample_rate must be above 0 (turn capture off with enabled: false)').max(1).default(1),
    redact: z
      .object({
        emails: z.boolean().default(true),
        secrets: z.boolean().default(true),
        patterns: z.array(pattern).default([]),
      })
      .strict()
      .default({ emails: true, secrets: true, patterns: [] }),
  })
  .strict();

export type CaptureConfig = z.infer<typeof CaptureConfigSchema>;

export const CAPTURE_OFF: CaptureConfig = CaptureConfigSchema.parse({});
