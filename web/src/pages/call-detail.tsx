/** One call: what it used, what each part cost, which prices, who it is attributed to, how fast. */
import type { LedgerRecord } from '../api/types';
import { CallCost } from '../components/cost-cell';
import { Card, Money, Time } from '../components/ui';
import { billingLabel, usageSourceText } from '../lib/billing-label';
import { hrefFor } from '../lib/hash-route';
import { formatCount } from '../lib/money';
import { formatDuration } from '../lib/time';

const COST_PARTS = ['input', 'cache_read', 'cache_write', 'output', 'reasoning', 'audio', 'image', 'tools', 'other'] as const;

export function CallDetail({ record: r, onClose }: { record: LedgerRecord; onClose: () => void }) {
  const billing = billingLabel(r);
  const source = usageSourceText(r);
  const usage = Object.entries(r.usage ?? {}).filter(([, v]) => v);
  const attribution = Object.entries(r.attribution).filter(([, v]) => v !== null);
  const tags = Object.entries(r.tags ?? {});
  return (
    <Card
      title="Call detail"
      className="detail"
      actions={
        <button type="button" onClick={onClose} aria-label="Close">
          ×
        </button>
      }
    >
      <dl className="kv" data-testid="call-detail">
        <dt>Request id</dt>
        <dd>
          <code>{r.id}</code>
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={r.started_at} seconds />
        </dd>
        <dt>Provider / API</dt>
        <dd>
          {r.provider} · {r.api ?? '—'} {r.stream ? '· stream' : ''}
        </dd>
        <dt>Model</dt>
        <dd>
          {r.model ?? '—'}
          {r.model_requested && r.model_requested !== r.model ? <span className="muted"> (asked for {r.model_requested})</span> : null}
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`status status-${r.status}`}>{r.status}</span> {r.http_status ?? ''} {r.error ? <span className="warn">{r.error.type}: {r.error.message}</span> : null}
        </dd>
        <dt>Latency</dt>
        <dd>
          {formatDuration(r.duration_ms)} total · TTFT {formatDuration(r.ttft_ms)}
        </dd>
        <dt>Cost</dt>
        <dd data-testid="detail-cost">
          <CallCost record={r} />
          {billing.kind !== 'priced' ? <span className="muted"> — {billing.why}</span> : null}
        </dd>
        <dt>Price version</dt>
        <dd>
          <code>{r.price_version ?? '—'}</code>
        </dd>
        <dt>Usage</dt>
        <dd data-testid="detail-usage-source">{source === null ? <span className="muted">none: {billing.text || 'no usage'}</span> : r.usage_source === 'estimated' ? <span className="warn">{source}</span> : source}</dd>
        {r.trace_id ? (
          <>
            <dt>Trace</dt>
            <dd>
              <a href={hrefFor('requests', {}, ['trace', r.trace_id])} data-testid="detail-trace">{r.trace_id}</a>
            </dd>
          </>
        ) : null}
        {r.key_id ? (
          <>
            <dt>Key</dt>
            <dd>
              <code>{r.key_id}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h3>Usage and cost</h3>
      <table className="data compact">
        <thead>
          <tr>
            <th>Part</th>
            <th className="num">Units</th>
            <th className="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {COST_PARTS.map((part) => {
            const units = usageFor(part, r);
            const cost = r.cost?.[part];
            if (!units && (!cost || Number(cost) === 0)) return null;
            return (
              <tr key={part}>
                <td>{part.replace('_', ' ')}</td>
                <td className="num">{units ? formatCount(units) : ''}</td>
                <td className="num">{cost !== undefined ? <Money value={cost} /> : '—'}</td>
              </tr>
            );
          })}
          <tr className="total">
            <td>total</td>
            <td className="num" />
            <td className="num">{r.cost ? <Money value={r.cost.total} /> : '—'}</td>
          </tr>
        </tbody>
      </table>
      {usage.length === 0 ? <p className="muted">No usage recorded.</p> : null}
      <h3>Attribution</h3>
      <dl className="kv">
        {attribution.length === 0 && tags.length === 0 ? <dd className="muted">unattributed</dd> : null}
        {attribution.map(([k, v]) => (
          <Pair key={k} k={k} v={String(v)} />
        ))}
        {tags.map(([k, v]) => (
          <Pair key={`tag:${k}`} k={`tag:${k}`} v={v} />
        ))}
      </dl>
    </Card>
  );
}

function Pair({ k, v }: { k: string; v: string }) {
  return (
    <>
      <dt>{k}</dt>
      <dd>{v}</dd>
    </>
  );
}

function usageFor(part: string, r: LedgerRecord): number {
  const u = r.usage;
  if (!u) return 0;
  switch (part) {
    case 'input':
      return u.input_tokens;
    case 'cache_read':
      return u.cache_read_tokens;
    case 'cache_write':
      return u.cache_write_tokens + u.cache_write_1h_tokens;
    case 'output':
      return u.output_tokens;
    case 'reasoning':
      return u.reasoning_tokens;
    case 'audio':
      return u.audio_input_tokens + (u.audio_cache_read_tokens ?? 0) + u.audio_output_tokens;
    case 'image':
      return u.image_input_tokens;
    case 'tools':
      return u.web_search_calls;
    default:
      return 0;
  }
}
