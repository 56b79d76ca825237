/** Set a kill switch: every call in its scope is refused at once until it is lifted. */
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ErrorBox } from '../components/ui';
import { parseScope } from '../lib/scope';

export function KillSwitchForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [scope, setScope] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/kill-switches', { body: { scope: parseScope(scope), reason } });
      onDone();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="kill-switch-form">
      <h3>New kill switch</h3>
      <label>
        Scope <input value={scope} onChange={(e) => setScope(e.target.value)} placeholder="team=research (empty: every call!)" name="scope" />
      </label>
      <label>
        Reason <input required value={reason} onChange={(e) => setReason(e.target.value)} placeholder="runaway agent loop" name="reason" />
      </label>
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="primary">
          Set kill switch
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
