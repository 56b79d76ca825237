/**
 * Who may read `GET /metrics`. Its series name teams and show their spend, so by default only the
 * admin token may scrape it (Prometheus: `authorization: { credentials: <token> }`). A scoped
 * token is refused: it would see other teams' series. The operator can make metrics public with
 * `metrics: { public: true }` in the serve config or `COSTRAIL_PUBLIC_METRICS=true` (a scraper on
 * a private network without credentials).
 */
import type { ApiAuthenticator } from '../http/principal.js';

export interface MetricsRefusal {
  status: 401 | 403;
  message: string;
}

export class MetricsAccess {
  constructor(
    private readonly auth: ApiAuthenticator,
    readonly publicMetrics: boolean,
  ) {}

  /** Undefined when the caller may read the metrics. */
  refusal(authorization: string | undefined): MetricsRefusal | undefined {
    if (this.publicMetrics) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    const principal = this.auth.authenticate(m?.[1]);
    if (!principal) return { status: 401, message: '/metrics needs the admin token (Authorization: Bearer …), unless metrics are made public (COSTRAIL_PUBLIC_METRICS=true)' };
    if (principal.kind !== 'admin') return { status: 403, message: '/metrics shows every team\'s spend: it needs the admin token, not a scoped token' };
    return undefined;
  }
}

/** `COSTRAIL_PUBLIC_METRICS`: true/1/yes make /metrics public. */
export function publicMetricsFromEnv(env: NodeJS.ProcessEnv): boolean | undefined {
  const v = env['COSTRAIL_PUBLIC_METRICS']?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  return v === 'true' || v === '1' || v === 'yes';
}
