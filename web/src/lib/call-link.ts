/** The hash link of one call: the requests list (with the given filters) and that call open. */
import type { LedgerRecord } from '../api/types';
import { hrefFor } from './hash-route';

export function callHref(r: Pick<LedgerRecord, 'id' | 'started_at'>, base?: URLSearchParams): string {
  const next = new URLSearchParams(base);
  next.set('call', r.id);
  next.set('at', r.started_at);
  return hrefFor('requests', next);
}
