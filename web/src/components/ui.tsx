/** Small shared pieces: money and time as the viewer reads them, and the three non-data states. */
import type { ReactNode } from 'react';
import { ApiFailure } from '../api/client';
import { formatMoney } from '../lib/money';
import { formatLocal, formatUtc } from '../lib/time';

/** Rounded by magnitude for reading; the exact amount is in the tooltip and `data-exact`. */
export function Money({ value, testId }: { value: string | number | null | undefined; testId?: string }) {
  const exact = value === null || value === undefined ? '' : String(value);
  return (
    <span className="money" title={exact ? `$${exact} (exact)` : 'unknown'} data-exact={exact} data-testid={testId}>
      {formatMoney(value)}
    </span>
  );
}

/** Viewer's zone on screen, UTC on hover. */
export function Time({ iso, seconds }: { iso: string | null | undefined; seconds?: boolean }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocal(iso, seconds)}
    </time>
  );
}

export function Loading({ what }: { what?: string }) {
  return (
    <div className="state loading" role="status">
      <span className="spinner" aria-hidden /> Loading{what ? ` ${what}` : ''}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

export function ErrorBox({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const api = error instanceof ApiFailure ? error : undefined;
  return (
    <div className="state error" role="alert" data-testid="api-error">
      <strong>{api ? `API error ${api.status || ''} ${api.code}` : 'Error'}</strong>: {error.message}
      {onRetry ? (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function Card({ title, children, actions, className }: { title?: ReactNode; children: ReactNode; actions?: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title || actions ? (
        <header className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({ label, children, sub, testId }: { label: string; children: ReactNode; sub?: ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{children}</div>
      {sub ? <div className="stat-sub">{sub}</div> : null}
    </div>
  );
}

export function scopeText(scope: Record<string, string | null> | undefined): string {
  const e = Object.entries(scope ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${v ?? '∅'}`).join(', ') : 'global';
}
