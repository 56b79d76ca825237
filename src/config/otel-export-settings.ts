/**
 * Costrail's own request spans (src/otel/request-span-exporter.ts) from the environment: off
 * unless COSTRAIL_OTEL_EXPORT_ENDPOINT names an OTLP/HTTP traces URL. The standard OTEL_EXPORTER_*
 * variables are deliberately not read: they are often set for other software in the same
 * environment, and this export must be asked for.
 */
import type { Environment } from './environment.js';

export interface RequestSpanSettings {
  endpoint: string;
  headers: Record<string, string>;
}

/** Undefined when off; throws naming the bad variable. */
export function requestSpanSettings(env: Environment): RequestSpanSettings | undefined {
  const endpoint = env['COSTRAIL_OTEL_EXPORT_ENDPOINT']?.trim();
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`COSTRAIL_OTEL_EXPORT_ENDPOINT "${endpoint}" is not a URL (e.g. http://collector:4318/v1/traces)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('COSTRAIL_OTEL_EXPORT_ENDPOINT must be an http(s) URL');
  const headers: Record<string, string> = {};
  // The OTEL_EXPORTER_OTLP_HEADERS convention: key=value pairs separated by commas, values URL-encoded.
  for (const pair of (env['COSTRAIL_OTEL_EXPORT_HEADERS'] ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`COSTRAIL_OTEL_EXPORT_HEADERS: "${pair.trim()}" is not key=value`);
    headers[pair.slice(0, eq).trim().toLowerCase()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return { endpoint: url.href, headers };
}
