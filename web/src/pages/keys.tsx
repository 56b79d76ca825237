/** Virtual keys: their attribution defaults, spend and last use; create one (secret shown once) or revoke it. */
import { useState, type FormEvent } from 'react';
import { api, listOf } from '../api/client';
import { getSpend } from '../api/spend';
import type { VirtualKey } from '../api/types';
import { Card, Empty, ErrorBox, Loading, Money, scopeText, Time } from '../components/ui';
import { formatCount } from '../lib/money';
import { parseScope } from '../lib/scope';
import { DAY_MS } from '../lib/time';
import { useApi } from '../lib/use-api';

const DEFAULT_FIELDS = ['team', 'project', 'feature', 'customer', 'user', 'env', 'agent', 'prompt_version', 'priority'];

/** The key's attribution defaults (the keys API returns them as top-level fields) and its tags. */
function defaultsOf(k: VirtualKey): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of DEFAULT_FIELDS) if (typeof k[f] === 'string' && k[f]) out[f] = k[f] as string;
  for (const [t, v] of Object.entries((k['tags'] ?? {}) as Record<string, string>)) out[`tag:${t}`] = v;
  return out;
}

function secretOf(body: unknown): string | undefined {
  const b = body as Record<string, unknown> | undefined;
  const inner = (b?.['key'] ?? {}) as Record<string, unknown>;
  const s = b?.['secret'] ?? b?.['api_key'] ?? b?.['token'] ?? inner['secret'] ?? (typeof b?.['key'] === 'string' ? b['key'] : undefined);
  return typeof s === 'string' ? s : undefined;
}

export function Keys() {
  const keys = useApi(async (signal) => {
    const [list, spend] = await Promise.all([api('GET', '/api/keys', { signal }), getSpend({ from: new Date(Date.now() - 30 * DAY_MS), group_by: ['key_id'] }, signal)]);
    const byKey = new Map(spend.rows.map((r) => [String(r['key_id']), r]));
    return listOf<VirtualKey>(list, 'keys').map((k) => ({ key: k, spend: byKey.get(k.id) }));
  }, []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [actionError, setActionError] = useState<Error>();

  const revoke = async (k: VirtualKey) => {
    if (!window.confirm(`Revoke key "${k.name ?? k.id}"? Its next call will be refused.`)) return;
    setActionError(undefined);
    try {
      await api('DELETE', `/api/keys/${encodeURIComponent(k.id)}`);
      keys.reload();
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <div className="page keys" data-testid="keys">
      {secret ? (
        <div className="secret" role="alert" data-testid="new-secret">
          <strong>Key “{secret.name}” created.</strong> Copy the secret now: it is shown only this once.
          <code className="secret-value">{secret.secret}</code>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.secret)}>
            Copy
          </button>
          <button type="button" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      ) : null}
      {actionError ? <ErrorBox error={actionError} /> : null}
      <Card
        title="Virtual keys"
        actions={
          <button type="button" className="primary" onClick={() => setCreating(true)} data-testid="new-key">
            New key
          </button>
        }
      >
        {creating ? (
          <KeyForm
            onCancel={() => setCreating(false)}
            onCreated={(name, s) => {
              setCreating(false);
              if (s) setSecret({ name, secret: s });
              keys.reload();
            }}
          />
        ) : null}
        {keys.error ? <ErrorBox error={keys.error} onRetry={keys.reload} /> : null}
        {!keys.data && !keys.error ? <Loading what="keys" /> : null}
        {keys.data?.length === 0 ? <Empty>No virtual keys: clients pass their own provider keys through (only a hash is kept). Create one to hand out per team or app.</Empty> : null}
        {keys.data && keys.data.length > 0 ? (
          <table className="data" data-testid="keys-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Defaults</th>
                <th className="num">Spend (30 d)</th>
                <th className="num">Calls</th>
                <th>Last used</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map(({ key: k, spend }) => {
                const revoked = !!k.revoked_at || (k.status !== undefined && k.status !== null && k.status !== 'active');
                return (
                  <tr key={k.id} className={revoked ? 'revoked' : ''} data-testid={`key-${k.name ?? k.id}`}>
                    <td>{k.name ?? <span className="muted">unnamed</span>}</td>
                    <td>
                      <code>{String(k['hint'] ?? k.prefix ?? k.id)}</code>
                      {Array.isArray(k['models']) ? <div className="muted">models: {(k['models'] as string[]).join(', ')}</div> : null}
                    </td>
                    <td>{scopeText(defaultsOf(k))}</td>
                    <td className="num">
                      <Money value={spend?.cost ?? k.spend ?? k.spent ?? '0'} />
                    </td>
                    <td className="num">{formatCount(spend?.requests ?? k.requests ?? 0)}</td>
                    <td>{k.last_used_at ? <Time iso={k.last_used_at} /> : <span className="muted">never</span>}</td>
                    <td>
                      <Time iso={k.created_at} />
                    </td>
                    <td>
                      {revoked ? (
                        <span className="pill danger">{k.status ?? 'revoked'}</span>
                      ) : (
                        <button type="button" className="danger" onClick={() => void revoke(k)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}

function KeyForm({ onCreated, onCancel }: { onCreated: (name: string, secret: string | undefined) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [defaults, setDefaults] = useState('');
  const [models, setModels] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const d = parseScope(defaults);
    const unknown = Object.keys(d).filter((f) => !DEFAULT_FIELDS.includes(f));
    if (unknown.length) return setError(new Error(`unknown attribution field(s): ${unknown.join(', ')} (use ${DEFAULT_FIELDS.join(', ')})`));
    try {
      const body = await api('POST', '/api/keys', { body: { name, ...d, ...(models.trim() ? { models: models.split(/[,\s]+/).filter(Boolean) } : {}), ...(expires.trim() ? { expires: expires.trim() } : {}) } });
      onCreated(name, secretOf(body));
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="key-form">
      <h3>New virtual key</h3>
      <label>
        Name <input required value={name} onChange={(e) => setName(e.target.value)} name="name" />
      </label>
      <label>
        Defaults <input value={defaults} onChange={(e) => setDefaults(e.target.value)} placeholder="team=search, feature=answer" name="defaults" />
      </label>
      <label>
        Allowed models <input value={models} onChange={(e) => setModels(e.target.value)} placeholder="any (or gpt-4o-mini, claude-haiku-4-5)" name="models" />
      </label>
      <label>
        Expires <input value={expires} onChange={(e) => setExpires(e.target.value)} placeholder="never (or 30d, 12h, 2027-01-01)" name="expires" />
      </label>
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="primary">
          Create key
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
