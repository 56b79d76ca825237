/** Sign in with the admin token or a scoped API token; it is kept for this browser tab only. */
import { useState, type FormEvent } from 'react';
import { api, storeToken } from '../api/client';
import type { WhoAmI } from '../api/types';
import { ErrorBox } from '../components/ui';

export function SignIn({ onSignedIn, reason }: { onSignedIn: (who: WhoAmI) => void; reason?: Error | undefined }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error | undefined>(reason);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const who = await api<WhoAmI>('GET', '/api/whoami', { token: token.trim() });
      storeToken(token.trim());
      onSignedIn(who);
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in" data-testid="sign-in">
      <form onSubmit={(e) => void submit(e)} className="card">
        <h1>
          <span className="logo" aria-hidden>
            ▤
          </span>{' '}
          Costrail
        </h1>
        <p className="muted">Sign in with the admin token (printed by <code>costrail serve</code>, kept in <code>.costrail/admin-token</code>) or a scoped API token. Or open the sign-in link the server printed.</p>
        <label>
          Token
          <input type="password" autoComplete="current-password" autoFocus required value={token} onChange={(e) => setToken(e.target.value)} name="token" />
        </label>
        {error ? <ErrorBox error={error} /> : null}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
