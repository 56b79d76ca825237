/**
 * Classifies a failed upstream request (no response, or a body cut off) from its error code. The
 * codes are undici's (lib/core/errors.js) and the operating system's; the table is explicit so a
 * new code is a deliberate line here, never a substring match.
 */
import { gatewayError, type GatewayError, type GatewayErrorCode } from './error-catalogue.js';

const UPSTREAM_FAILURES: Readonly<Record<string, { code: GatewayErrorCode; message: string }>> = {
  UND_ERR_CONNECT_TIMEOUT: { code: 'upstream_timeout', message: 'the provider did not answer in time' },
  UND_ERR_HEADERS_TIMEOUT: { code: 'upstream_timeout', message: 'the provider did not answer in time' },
  UND_ERR_BODY_TIMEOUT: { code: 'upstream_timeout', message: 'the provider did not answer in time' },
  ECONNREFUSED: { code: 'upstream_unreachable', message: 'the provider refused the connection' },
};

export function upstreamFailure(e: unknown): GatewayError {
  const code = (e as { code?: unknown }).code;
  const codeText = typeof code === 'string' ? code : '';
  const known = Object.hasOwn(UPSTREAM_FAILURES, codeText) ? UPSTREAM_FAILURES[codeText] : undefined;
  if (known) return gatewayError(known.code, known.message);
  return gatewayError('upstream_error', `the provider connection failed (${codeText || (e as Error).message})`);
}
