/**
 * Wraps a provider's parser so every extraction it hands out, from a body or from a stream,
 * passed usage-bounds.ts. Field readers already refuse bad counts where they meet them; this
 * catches what they compute (prompt minus cached, sums across events, provider-reported cost),
 * so no provider folder can forget the rule.
 */
import { checkExtraction } from './usage-bounds.js';
import { ProviderPayloadError, type ParseContext, type ProviderUsageParser, type StreamMeter, type StreamOutcome, type UsageExtraction } from './spec.js';

export function boundedParser(parser: ProviderUsageParser): ProviderUsageParser {
  return {
    id: parser.id,
    fromBody(body: unknown, ctx: ParseContext): UsageExtraction | null {
      const x = parser.fromBody(body, ctx);
      return x === null ? null : checkExtraction(x);
    },
    createStreamMeter(ctx: ParseContext): StreamMeter {
      return new BoundedStreamMeter(parser.createStreamMeter(ctx));
    },
  };
}

/** Stream meters never throw (they run in the gateway): an out-of-bounds result becomes `usage_problem`. */
class BoundedStreamMeter implements StreamMeter {
  private outcome: StreamOutcome | undefined;
  constructor(private readonly inner: StreamMeter) {}

  push(chunk: Uint8Array): void {
    this.inner.push(chunk);
  }

  end(): StreamOutcome {
    if (this.outcome) return this.outcome;
    const out = this.inner.end();
    if (out.extraction) {
      try {
        checkExtraction(out.extraction);
      } catch (e) {
        if (!(e instanceof ProviderPayloadError)) throw e;
        // The getter-based output_text of some meters must survive: patch the outcome in place.
        out.extraction = null;
        out.usage_problem ??= e.message;
      }
    }
    this.outcome = out;
    return out;
  }
}
