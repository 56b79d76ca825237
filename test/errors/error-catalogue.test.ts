/**
 * The coded error catalogue: wire values stay what they were (retry headers per code, the body in
 * each dialect, byte for byte), upstream failures are classified by an explicit code table, and
 * every Error class shares one base (code, status, retryable) without changing its message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_ERROR_CATALOGUE, gatewayError, isGatewayErrorCode, ledgerStatusOf, MAX_RETRY_AFTER_SECONDS, retryHeaders, type GatewayError, type GatewayErrorCode } from '../../src/errors/error-catalogue.js';
import { errorBodyIn } from '../../src/errors/error-dialects.js';
import { upstreamFailure } from '../../src/errors/upstream-failure.js';
import { CostrailError } from '../../src/errors/costrail-error.js';
import { isGatewayError } from '../../src/gateway/call-policy.js';
import { ApiError } from '../../src/http/api-error.js';
import { CliError } from '../../src/cli/cli-error.js';
import { ProviderPayloadError } from '../../src/providers/spec.js';
import { StoreQueryError } from '../../src/store/store.js';
import { CountersUnavailableError } from '../../src/policy/counters/policy-counters.js';

/** The rule as it was written before the catalogue (retryable set + status rule): the oracle. */
function legacyRetryHeaders(err: GatewayError): Record<string, string> {
  const retryable = new Set(['rate_limited', 'policy_unavailable', 'ledger_unavailable', 'ledger_database_unavailable']);
  const short = err.retryAfterSeconds !== undefined && err.retryAfterSeconds <= 20;
  if (retryable.has(err.type)) return short ? { 'retry-after': String(err.retryAfterSeconds) } : { 'x-should-retry': 'false' };
  if (err.status === 429 || err.status === 401 || err.status === 403) return { 'x-should-retry': 'false' };
  return {};
}

test('retry headers: every code, at its catalogue status and with any wait, answers as the former rule did', () => {
  assert.equal(MAX_RETRY_AFTER_SECONDS, 20);
  for (const code of Object.keys(GATEWAY_ERROR_CATALOGUE) as GatewayErrorCode[]) {
    for (const wait of [undefined, 0, 1, 20, 21, 3600]) {
      const err = gatewayError(code, 'm', wait === undefined ? {} : { retryAfterSeconds: wait });
      assert.deepEqual(retryHeaders(err), legacyRetryHeaders(err), `${code} retryAfter=${String(wait)}`);
    }
  }
  // Codes whose status reports an HTTP rule keep the rule of that status.
  assert.deepEqual(retryHeaders(gatewayError('invalid_request_error', 'too big', { status: 413 })), {});
});

test('the catalogue fixes the statuses SDKs and tests read', () => {
  const statuses: Partial<Record<GatewayErrorCode, number>> = {
    invalid_request_target: 400,
    not_found: 404,
    invalid_api_key: 401,
    attribution_conflict: 403,
    endpoint_not_allowed: 403,
    model_not_allowed: 403,
    kill_switch: 403,
    budget_exceeded: 429,
    rate_limited: 429,
    policy_unavailable: 503,
    ledger_unavailable: 503,
    ledger_database_unavailable: 503,
    upstream_not_configured: 502,
    upstream_origin_mismatch: 502,
    upstream_timeout: 504,
    upstream_unreachable: 502,
  };
  for (const [code, status] of Object.entries(statuses)) assert.equal(gatewayError(code as GatewayErrorCode, 'm').status, status, code);
  // Refusals are recorded `blocked`; failures after forwarding `error`, as the gateway always recorded them.
  for (const code of ['budget_exceeded', 'invalid_api_key', 'endpoint_not_allowed', 'upstream_not_configured', 'upstream_origin_mismatch', 'ledger_unavailable', 'not_found'] as const) {
    assert.equal(ledgerStatusOf(gatewayError(code, 'm')), 'blocked', code);
  }
  for (const code of ['upstream_timeout', 'upstream_unreachable', 'upstream_error'] as const) assert.equal(ledgerStatusOf(gatewayError(code, 'm')), 'error', code);
});

test('error bodies per dialect, byte for byte', () => {
  const err = gatewayError('rate_limited', 'slow down', { retryAfterSeconds: 3, scope: { team: 'search' } });
  assert.equal(errorBodyIn('openai', err), '{"error":{"message":"slow down","type":"rate_limited","code":"rate_limited","param":null,"scope":{"team":"search"}}}');
  assert.equal(errorBodyIn('anthropic', err), '{"type":"error","error":{"type":"rate_limited","message":"slow down","scope":{"team":"search"}}}');
  assert.equal(errorBodyIn('google', err), '{"error":{"code":429,"message":"slow down","status":"RESOURCE_EXHAUSTED","details":[{"reason":"rate_limited","scope":{"team":"search"}}]}}');
  assert.equal(errorBodyIn('aws', err), '{"__type":"rate_limited","message":"slow down","scope":{"team":"search"}}');
  assert.equal(errorBodyIn('google', gatewayError('upstream_timeout', 'late')), '{"error":{"code":504,"message":"late","status":"DEADLINE_EXCEEDED","details":[{"reason":"upstream_timeout"}]}}');
});

test('upstream failures are classified by an explicit table of undici and system codes', () => {
  const withCode = (code: string) => Object.assign(new Error(`boom ${code}`), { code });
  for (const code of ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
    assert.deepEqual(upstreamFailure(withCode(code)), { status: 504, type: 'upstream_timeout', message: 'the provider did not answer in time' }, code);
  }
  assert.deepEqual(upstreamFailure(withCode('ECONNREFUSED')), { status: 502, type: 'upstream_unreachable', message: 'the provider refused the connection' });
  assert.deepEqual(upstreamFailure(withCode('UND_ERR_SOCKET')), { status: 502, type: 'upstream_error', message: 'the provider connection failed (UND_ERR_SOCKET)' });
  // A code that merely contains TIMEOUT is not a timeout unless the table says so.
  assert.equal(upstreamFailure(withCode('X_TIMEOUT_LIKE')).type, 'upstream_error');
  assert.deepEqual(upstreamFailure(new Error('socket hang up')), { status: 502, type: 'upstream_error', message: 'the provider connection failed (socket hang up)' });
});

test('a refusal is told from an identity by its catalogue code', () => {
  assert.equal(isGatewayError(gatewayError('invalid_api_key', 'no')), true);
  assert.equal(isGatewayError({ key_id: 'vk_1' }), false);
  assert.equal(isGatewayError({ status: 401, type: 'not_a_code', message: 'x' } as unknown as GatewayError), false);
  assert.equal(isGatewayErrorCode('kill_switch'), true);
  assert.equal(isGatewayErrorCode('toString'), false);
});

test('every Error class has one base (code, status, retryable) and keeps its message and name', () => {
  const cases: [CostrailError, string, string, number, boolean][] = [
    [ApiError.notFound('no such key'), 'ApiError', 'not_found', 404, false],
    [new ApiError(503, 'store_unavailable', 'later'), 'ApiError', 'store_unavailable', 503, true],
    [new CliError('bad flag', 2), 'CliError', 'cli_error', 400, false],
    [new ProviderPayloadError('not JSON'), 'ProviderPayloadError', 'bad_provider_payload', 502, false],
    [new StoreQueryError('limit must be an integer'), 'StoreQueryError', 'invalid_store_query', 400, false],
    [new CountersUnavailableError('redis down'), 'CountersUnavailableError', 'policy_unavailable', 503, true],
  ];
  for (const [e, name, code, status, retryable] of cases) {
    assert.ok(e instanceof CostrailError && e instanceof Error, name);
    assert.equal(e.name, name);
    assert.deepEqual({ code: e.code, status: e.status, retryable: e.retryable }, { code, status, retryable }, name);
  }
  assert.equal(new CliError('bad flag', 2).message, 'bad flag');
  assert.equal(new CliError('bad flag', 2).exitCode, 2);
});
