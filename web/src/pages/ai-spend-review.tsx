/**
 * The review queue: AI-looking card and expense lines no rule or catalog pattern could place.
 * Confirming one names its vendor, product and category and adds a descriptor rule (so later
 * lines match by themselves; queued lines the rule matches are confirmed with it); "Not AI"
 * rejects the line. Both are admin writes (`POST /api/inventory/review/{hash}`).
 */
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { Empty, ErrorBox, Money, Time } from '../components/ui';
import { CATEGORY_LABEL, SPEND_CATEGORIES, type QueuedLine } from './ai-spend-types';

/** Vendors a shared descriptor could be (the importer notes `PATTERN → A | B`). */
function candidatesOf(note: string | null): string[] {
  const at = note?.indexOf('→') ?? -1;
  return note && at >= 0 ? note.slice(at + 1).split('|').map((s) => s.trim()).filter(Boolean) : [];
}

export function ReviewQueue({ lines, canWrite, onDecided }: { lines: QueuedLine[]; canWrite: boolean; onDecided: () => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState<string>();

  const decide = async (line: QueuedLine, body: unknown) => {
    setError(undefined);
    try {
      const r = await api<{ state: string; rule: { pattern: string } | null; also_matched: number }>('POST', `/api/inventory/review/${encodeURIComponent(line.line_hash)}`, { body });
      setDone(r.rule ? `Confirmed; rule "${r.rule.pattern}" added${r.also_matched ? `, ${r.also_matched} more queued line(s) matched` : ''}.` : 'Marked as not AI.');
      setOpen(null);
      onDecided();
    } catch (e) {
      setError(e as Error);
    }
  };

  if (lines.length === 0) return <Empty>Nothing to review: every AI-looking line has been matched, confirmed or rejected.</Empty>;
  return (
    <div data-testid="review-queue">
      {error ? <ErrorBox error={error} /> : null}
      {done ? (
        <p className="muted" role="status" data-testid="review-done">
          {done}
        </p>
      ) : null}
      <ul className="review-list">
        {lines.map((l) => (
          <li key={l.line_hash} className="review-line" data-testid={`review-${l.line_hash}`}>
            <div className="review-head">
              <strong className="mono">{l.descriptor}</strong>
              <span>{l.amount_usd === null ? `${l.amount} ${l.currency} (no USD rate)` : <Money value={l.amount_usd} />}</span>
              <span className="muted">
                <Time iso={l.occurred_at} />
              </span>
              <span className="muted">{[l.employee, l.cost_centre].filter(Boolean).join(' · ') || 'no payer'}</span>
              {l.match_pattern ? <span className="pill">{l.match_pattern}</span> : null}
              <span className="spacer" />
              {canWrite ? (
                <>
                  <button type="button" className="primary" onClick={() => setOpen(open === l.line_hash ? null : l.line_hash)} data-testid="review-confirm-open">
                    Confirm…
                  </button>
                  <button type="button" onClick={() => void decide(l, { reject: true })} data-testid="review-reject">
                    Not AI
                  </button>
                </>
              ) : null}
            </div>
            {open === l.line_hash ? <ConfirmForm line={l} onCancel={() => setOpen(null)} onSubmit={(confirm) => void decide(l, { confirm })} /> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface Confirmation {
  vendor: string;
  product: string;
  category: string;
  pattern?: string;
}

function ConfirmForm({ line, onCancel, onSubmit }: { line: QueuedLine; onCancel: () => void; onSubmit: (c: Confirmation) => void }) {
  const candidates = candidatesOf(line.match_pattern);
  const [vendor, setVendor] = useState(candidates[0] ?? '');
  const [product, setProduct] = useState('');
  const [category, setCategory] = useState<string>('chat_assistant');
  const [pattern, setPattern] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit({ vendor: vendor.trim(), product: product.trim() || vendor.trim(), category, ...(pattern.trim() ? { pattern: pattern.trim() } : {}) });
  };
  return (
    <form className="form" onSubmit={submit} data-testid="review-confirm-form">
      <label>
        Vendor
        <input value={vendor} onChange={(e) => setVendor(e.target.value)} required maxLength={200} list={`candidates-${line.line_hash}`} data-testid="review-vendor" />
        <datalist id={`candidates-${line.line_hash}`}>
          {candidates.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
      </label>
      <label>
        Product
        <input value={product} onChange={(e) => setProduct(e.target.value)} maxLength={200} placeholder="same as vendor" data-testid="review-product" />
      </label>
      <label>
        Category
        <select value={category} onChange={(e) => setCategory(e.target.value)} data-testid="review-category">
          {SPEND_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABEL[c] ?? c}
            </option>
          ))}
        </select>
      </label>
      <label>
        Rule pattern
        <input value={pattern} onChange={(e) => setPattern(e.target.value)} maxLength={100} placeholder="default: the descriptor without reference numbers" data-testid="review-pattern" />
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!vendor.trim()} data-testid="review-confirm">
          Confirm and add rule
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
