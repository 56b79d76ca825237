/** Cost as a cell: exact money, or what the missing money means — never a made-up $0.00. */
import type { LedgerRecord } from '../api/types';
import { billingLabel } from '../lib/billing-label';
import { formatCount, toUnits } from '../lib/money';
import { Money } from './ui';

/** One call's cost, or its label (unpriced, blocked, error, not billable). */
export function CallCost({ record }: { record: LedgerRecord }) {
  if (record.cost) return <Money value={record.cost.total} />;
  const l = billingLabel(record);
  return (
    <span className={`billing billing-${l.kind}`} title={l.why} data-billing={l.kind}>
      {l.text}
    </span>
  );
}

/**
 * A group's cost: unpriced calls are not in `cost`, so a group made only of them says
 * "unpriced (N calls)" and a mixed group adds "+ N unpriced".
 */
export function GroupCost({ cost, unpriced, testId }: { cost: string; unpriced: number; testId?: string }) {
  if (unpriced > 0 && toUnits(cost) === 0n) {
    return (
      <span className="billing billing-unpriced" data-billing="unpriced" data-testid={testId} title="no known price for these calls; never counted as $0">
        unpriced ({formatCount(unpriced)} {unpriced === 1 ? 'call' : 'calls'})
      </span>
    );
  }
  return (
    <span data-testid={testId}>
      <Money value={cost} />
      {unpriced > 0 ? <span className="billing billing-unpriced" title="calls with no known price, not in this amount"> + {formatCount(unpriced)} unpriced</span> : null}
    </span>
  );
}
