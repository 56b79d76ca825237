/**
 * The process's structured JSON log (pino, one line per event, on stderr): startup, recoveries,
 * failures, and an access line per gateway call. Never prompt or completion text, never a key:
 * access lines are built from the ledger record's metadata only, and every field that could carry
 * a credential is redacted by path in case one is ever logged by mistake.
 *
 * COSTRAIL_LOG_LEVEL (default info) sets the level; COSTRAIL_ACCESS_LOG sets the level of the
 * per-call access lines (default debug, so they are off at the default level; `off` drops them).
 */
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import { environment, type Environment } from '../config/environment.js';

export type { Logger };

const CREDENTIAL_FIELDS = ['authorization', '["x-api-key"]', '["x-goog-api-key"]', '["api-key"]', 'cookie', 'secret', 'token', 'apiKey', 'api_key', 'password'];

/** Paths pino censors wherever these fields appear: at the top level, one level down, or in headers. */
export const REDACT_PATHS: string[] = CREDENTIAL_FIELDS.flatMap((f) => {
  const child = f.startsWith('[') ? f : `.${f}`;
  return [f.startsWith('[') ? f.slice(2, -2) : f, `*${child}`, `req.headers${child}`, `headers${child}`];
}).concat(['query.key', '*.query.key']);

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export interface LoggerOptions {
  level?: string;
  /** Level of the per-call access lines, or 'off'. */
  accessLevel?: string;
  /** Where lines go (tests capture them); default stderr. */
  destination?: DestinationStream;
}

export interface CostrailLogger {
  log: Logger;
  /** Logs one gateway call from its ledger record (metadata only). */
  access(record: LedgerRecord): void;
}

/** Masks credentials in a URL's query (`?key=` is how Gemini clients may send theirs). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:key|api[-_]?key|token|access_token)=)[^&#]*/gi, '$1[redacted]');
}

export function createLogger(opts: LoggerOptions = {}, env: Environment = environment()): CostrailLogger {
  const level = pickLevel(opts.level ?? env['COSTRAIL_LOG_LEVEL'], 'info');
  const accessRaw = opts.accessLevel ?? env['COSTRAIL_ACCESS_LOG'] ?? 'debug';
  const accessLevel = accessRaw === 'off' ? undefined : (pickLevel(accessRaw, 'debug') as Level);
  const log = pino(
    {
      level,
      base: { pid: process.pid, service: 'costrail' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { url: (u: unknown) => (typeof u === 'string' ? redactUrl(u) : u), err: pino.stdSerializers.err },
    },
    opts.destination ?? pino.destination({ dest: 2, sync: true }),
  );
  return {
    log,
    access(r) {
      if (!accessLevel || !log.isLevelEnabled(accessLevel)) return;
      log[accessLevel](
        {
          request_id: r.id,
          provider: r.provider,
          api: r.api,
          model: r.model ?? r.model_requested,
          status: r.status,
          http_status: r.http_status,
          stream: r.stream,
          duration_ms: r.duration_ms,
          ttft_ms: r.ttft_ms,
          cost: r.cost?.total ?? null,
          key_id: r.key_id,
          team: r.attribution.team,
          error: r.error?.type ?? null,
        },
        'gateway call',
      );
    },
  };
}

function pickLevel(v: string | undefined, fallback: string): string {
  const l = v?.trim().toLowerCase();
  return l && LEVELS.has(l) ? l : fallback;
}

let fallback: CostrailLogger | undefined;
/** For parts started without a runtime (tests that build a server by hand). */
export function defaultLogger(): CostrailLogger {
  fallback ??= createLogger();
  return fallback;
}
