/**
 * Resolves what `costrail serve` runs with, in one place: flags > environment > config file >
 * defaults. Commander already folds the environment into the flags' defaults (so `--help` shows
 * them); this adds the config file and turns every section into the typed options the runtime and
 * its modules take. Errors name the flag, variable or config key; none contains a secret.
 */
import { keysConfigFrom, type KeysConfig } from '../keys/keys-config.js';
import type { AlertsConfig } from '../alerts/channels/channel-config.js';
import type { ResponseCacheConfig } from '../gateway/response-cache/response-cache-config.js';
import type { CaptureConfig } from '../capture/capture-config.js';
import { loadServeConfig, type ServeConfig } from './serve-config.js';
import { routingFromConfig, type RoutingSetup } from './routing-config.js';
import { environment, type Environment } from './environment.js';

export interface ServeFlags {
  /** `--config` (or COSTRAIL_CONFIG). */
  config?: string;
  /** `--retention-days` (or COSTRAIL_RETENTION_DAYS), as typed. */
  retentionDays?: string;
}

export interface ServeSettings {
  file: ServeConfig;
  routing: RoutingSetup;
  keys: KeysConfig;
  alerts?: AlertsConfig;
  /** Raw ledger records older than this many days are deleted daily; undefined keeps everything. */
  retentionDays?: number;
  /** `metrics.public` from the file; the runtime falls back to COSTRAIL_PUBLIC_METRICS. */
  publicMetrics?: boolean;
  /** `cache:` from the file: the gateway's response cache. */
  cache?: ResponseCacheConfig;
  /** `capture:` from the file; undefined or `enabled: false` captures nothing. */
  capture?: CaptureConfig;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function resolveServeSettings(flags: ServeFlags, env: Environment = environment()): ServeSettings {
  const file = loadServeConfig(flags.config); // its errors name the file already
  const keys = keysConfigFrom(file, env);
  const retentionDays = flags.retentionDays === undefined ? (file.retention_days ?? undefined) : Number(flags.retentionDays);
  if (retentionDays !== undefined && (!Number.isInteger(retentionDays) || retentionDays < 1)) throw new Error(`--retention-days must be a positive integer, not "${flags.retentionDays}"`);
  let routing: RoutingSetup;
  try {
    routing = routingFromConfig(file, env);
  } catch (e) {
    throw new Error(flags.config ? `${flags.config}: ${message(e)}` : message(e));
  }
  return { file, routing, keys, alerts: file.alerts, retentionDays, publicMetrics: file.metrics?.public, cache: file.cache, ...(file.capture ? { capture: file.capture } : {}) };
}
