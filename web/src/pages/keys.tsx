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

/** What a provider key (not a cr_ key) gets at the gateway now; the API's `key_mode`. */
type KeyMode = 'pass-through' | 'virtual-keys' | 'both';

const MODE_TEXT: Record<KeyMode, string> = {
  'pass-through': 'Pass-through: clients call with their own provider keys (only a hash is kept). No virtual key exists yet.',
  'virtual-keys': 'Virtual keys only: calls with a provider key are refused (401); clients use cr_ keys.',
  both: 'Both: provider keys pass through alongside virtual keys (keys.pass_through: true).',
};

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
    const mode = (list as { key_mode?: KeyMode } | undefined)?.key_mode;
    return { mode, rows: listOf<VirtualKey>(list, 'keys').map((k) => ({ key: k, spend: byKey.get(k.id) })) };
  }, []);
  const rows = keys.data?.rows;
  const mode = keys.data?.mode;
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
      {mode ? (
        <p className={`key-mode ${mode}`} data-testid="key-mode" data-mode={mode}>
          <strong>Key mode:</strong> {MODE_TEXT[mode]}
        </p>
      ) : null}
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
            endsPassThrough={mode === 'pass-through'}
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
        {rows?.length === 0 ? <Empty>No virtual keys: clients pass their own provider keys through (only a hash is kept). Create one to hand out per team or app.</Empty> : null}
        {rows && rows.length > 0 ? (
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
              {rows.map(({ key: k, spend }) => {
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

function KeyForm({ onCreated, onCancel, endsPassThrough }: { onCreated: (name: string, secret: string | undefined) => void; onCancel: () => void; endsPassThrough: boolean }) {
  // The first key ends pass-through for every client: the form asks before it sends.
  const [confirming, setConfirming] = useState(false);
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
    if (endsPassThrough && !confirming) return setConfirming(true);
    try {
      const body = await api('POST', '/api/keys', { body: { name, ...d, ...(endsPassThrough ? { end_pass_through: true } : {}), ...(models.trim() ? { models: models.split(/[,\s]+/).filter(Boolean) } : {}), ...(expires.trim() ? { expires: expires.trim() } : {}) } });
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
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-labelledby="end-pt-title" data-testid="end-pass-through">
          <strong id="end-pt-title">This ends pass-through for every client.</strong>
          <p>
            After the first virtual key exists, every call made with a provider key (sk-…) gets <code>401 invalid_api_key</code>; only <code>cr_</code> keys work. To keep provider keys working alongside virtual keys,
            run serve with <code>keys.pass_through: true</code> (or <code>COSTRAIL_PASS_THROUGH=true</code>) before creating the key.
          </p>
          <div className="form-actions">
            <button type="submit" className="danger" data-testid="confirm-end-pass-through">
              Create key and end pass-through
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Back
            </button>
          </div>
        </div>
      ) : null}
      <div className="form-actions" hidden={confirming}>
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
