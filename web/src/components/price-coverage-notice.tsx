/**
 * A top-bar notice when spend in the last 30 days includes calls the price book could not price:
 * their cost is unknown (never counted as $0), so every total on every page is short by them.
 * It links to the explorer grouped by model, where the unpriced ones sort first.
 */
import { getSpend } from '../api/spend';
import { hrefFor } from '../lib/hash-route';
import { useApi } from '../lib/use-api';

const WINDOW_MS = 30 * 24 * 3600 * 1000;

export function PriceCoverageNotice() {
  // Fetched once per sign-in; the notice is a pointer, not a live counter.
  const { data } = useApi((signal) => getSpend({ from: new Date(Date.now() - WINDOW_MS), to: new Date(), granularity: 'none' }, signal), []);
  const unpriced = data?.total.unpriced_requests ?? 0;
  if (unpriced === 0) return null;
  return (
    <a
      className="price-notice"
      href={hrefFor('explorer', { range: '30d', group_by: 'model', sort: 'unpriced' })}
      title="These calls have no known price: totals leave them out rather than count them as $0. `costrail prices list --stale` and `costrail prices check` show what the catalog lacks."
      data-testid="price-notice"
    >
      <strong>{unpriced.toLocaleString()}</strong> unpriced call{unpriced === 1 ? '' : 's'} in 30 days
    </a>
  );
}
