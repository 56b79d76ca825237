/**
 * Costrail's own errors, in the calling API's error format so SDKs surface them naturally. The
 * codes and their rules are in src/errors/error-catalogue.ts, the body per dialect in
 * src/errors/error-dialects.ts; this module picks the dialect of a route.
 */
import { adapterFor, dialectOfApi } from '../providers/registry.js';
import { errorBodyIn, type ErrorDialect } from '../errors/error-dialects.js';
import type { GatewayError } from '../errors/error-catalogue.js';
import type { Route } from './route.js';

export { gatewayError, MAX_RETRY_AFTER_SECONDS, retryHeaders, type GatewayError, type GatewayErrorCode } from '../errors/error-catalogue.js';
export { errorBodyIn, type ErrorDialect } from '../errors/error-dialects.js';

/**
 * The API shape decides first (an OpenAI-compatible endpoint of Anthropic speaks OpenAI's errors);
 * paths the shape does not name (model lists, files, batches) speak their provider's dialect.
 */
export function dialectOf(route: Pick<Route, 'api' | 'provider'>): ErrorDialect {
  if (route.api === 'models' || route.api === 'other') return adapterFor(route.provider).errorDialect;
  return dialectOfApi(route.api) ?? 'openai';
}

export function errorBody(route: Pick<Route, 'api' | 'provider'> | undefined, err: GatewayError): string {
  return errorBodyIn(route ? dialectOf(route) : 'openai', err);
}
