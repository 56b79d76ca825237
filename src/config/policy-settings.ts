/**
 * The policy's settings from the environment: Redis counters (COSTRAIL_REDIS_URL, prefix
 * COSTRAIL_REDIS_PREFIX default `costrail:`, per-operation timeout COSTRAIL_REDIS_TIMEOUT_MS),
 * the reservation ceiling (COSTRAIL_RESERVATION_CEILING_USD) and the revision poll
 * (COSTRAIL_POLICY_SYNC_MS). Defaults beyond the prefix stay with PolicyService.
 */
import type { PolicySettings } from '../policy/open-policy.js';
import { environment, type Environment } from './environment.js';

export function policySettingsFrom(env: Environment = environment()): PolicySettings {
  const settings: PolicySettings = {};
  if (env['COSTRAIL_REDIS_URL']) {
    const timeout = env['COSTRAIL_REDIS_TIMEOUT_MS'];
    settings.redis = { url: env['COSTRAIL_REDIS_URL'], prefix: env['COSTRAIL_REDIS_PREFIX'] ?? 'costrail:', timeoutMs: timeout ? Number(timeout) : undefined };
  }
  if (env['COSTRAIL_RESERVATION_CEILING_USD'] !== undefined) settings.reservationCeilingUsd = env['COSTRAIL_RESERVATION_CEILING_USD'];
  if (env['COSTRAIL_POLICY_SYNC_MS']) settings.syncIntervalMs = Number(env['COSTRAIL_POLICY_SYNC_MS']);
  return settings;
}
