/** The OTLP intake's settings from the environment (read through src/config, like every variable). */
import type { Environment } from '../config/environment.js';
import { attributeNames, parseAttributeNames, type AttributeNameMap } from './span-attribution.js';

/** The attribute-name map: COSTRAIL_OTEL_ATTRIBUTES in front of the defaults. Throws naming the bad part. */
export function otelAttributeNames(env: Environment): AttributeNameMap {
  const spec = env['COSTRAIL_OTEL_ATTRIBUTES']?.trim();
  if (!spec) return attributeNames();
  try {
    return attributeNames(parseAttributeNames(spec));
  } catch (e) {
    throw new Error(`COSTRAIL_OTEL_ATTRIBUTES ${(e as Error).message}`);
  }
}
