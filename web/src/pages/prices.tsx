/**
 * Prices: the catalog in force (rates per 1M tokens), the operator's negotiated discounts and
 * custom prices (add, remove), and, after a change, an offer to re-price calls already recorded
 * (dry run first, then apply). New calls use a change at once; past calls only through that offer.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { api, ApiFailure } from '../api/client';
import { Card, Empty, ErrorBox, Loading, Money } from '../components/ui';
import { formatCount } from '../lib/money';
import { useApi, type Loaded } from '../lib/use-api';

interface CatalogRow {
  provider: string;
  model: string;
  input: string | null;
  output: string | null;
  cache_read: string | null;
  cache_write: string | null;
  effective_from: string | null;
  custom: boolean;
}
interface Discount {
  id: string | null;
  provider: string | null;
  models: string[] | null;
  percent: string;
  effective_from: string;
  effective_to: string | null;
  note: string | null;
}
interface CustomPrice {
  id: string;
  provider: string;
  model: string;
  prices: { effective_from: string; rates: Record<string, string> }[];
}
interface Overrides {
  price_version: string;
  discounts: Discount[];
  custom_prices: CustomPrice[];
}
/** What the latest change suggests re-pricing (the API's `reprice`, or the removed override's dates). */
interface RepriceRange {
  from: string;
  to: string;
  what: string;
}
interface RepriceResult {
  changed: number;
  considered: number;
  totals: { old_cost: string; new_cost: string; difference: string };
}

/** The catalog is long (hundreds of models): show this many rows and say how many matched. */
const SHOWN_ROWS = 60;

const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
/** Rates are exact decimal strings per 1M tokens; shown as written, never through a float. */
const usd = (v: string | null) => (v === null ? '–' : `$${cents(v)}`);
/** At least two decimals so a column reads evenly ("2.5" → "2.50"); digits are only added, never rounded. */
function cents(v: string): string {
  const [whole, frac = ''] = v.split('.');
  return `${whole}.${frac.padEnd(2, '0')}`;
}
/** A cache rate the catalog leaves out is billed at the input rate (never below list). */
const cacheRate = (v: string | null) => (v === null ? <span className="muted">= input</span> : usd(v));

export function Prices() {
  const catalog = useApi((signal) => api<{ price_version: string; models: CatalogRow[] }>('GET', '/api/prices', { signal }), []);
  const overrides = useApi((signal) => api<Overrides>('GET', '/api/price-overrides', { signal }), []);
  const [offer, setOffer] = useState<RepriceRange>();
  const [adding, setAdding] = useState<'discount' | 'custom' | undefined>();
  const [actionError, setActionError] = useState<Error>();
  const adminOnly = overrides.error instanceof ApiFailure && overrides.error.status === 403;

  const changed = (range: RepriceRange) => {
    setAdding(undefined);
    setOffer(range);
    overrides.reload();
    catalog.reload();
  };

  const remove = async (id: string, label: string, from: string) => {
    if (!window.confirm(`Remove ${label}? New calls are priced without it from now on.`)) return;
    setActionError(undefined);
    try {
      await api('DELETE', `/api/price-overrides/${encodeURIComponent(id)}`);
      changed({ from, to: from < tomorrow() ? tomorrow() : from, what: `removed ${label}` });
    } catch (e) {
      setActionError(e as Error);
    }
  };

  return (
    <div className="page prices" data-testid="prices">
      {offer ? <RepriceOffer key={`${offer.what}-${offer.from}`} range={offer} onDone={() => setOffer(undefined)} /> : null}
      {actionError ? <ErrorBox error={actionError} /> : null}
      <Card
        title="Discounts and custom prices"
        actions={
          adminOnly ? null : (
            <span className="form-actions">
              <button type="button" className="primary" onClick={() => setAdding('discount')} data-testid="add-discount">
                Add discount
              </button>
              <button type="button" onClick={() => setAdding('custom')} data-testid="add-custom-price">
                Add custom price
              </button>
            </span>
          )
        }
      >
        {adding === 'discount' ? <DiscountForm onCancel={() => setAdding(undefined)} onSaved={changed} /> : null}
        {adding === 'custom' ? <CustomPriceForm onCancel={() => setAdding(undefined)} onSaved={changed} /> : null}
        {adminOnly ? <Empty>Negotiated discounts and custom prices are visible to the admin token only.</Empty> : null}
        {overrides.error && !adminOnly ? <ErrorBox error={overrides.error} onRetry={overrides.reload} /> : null}
        {!overrides.data && !overrides.error ? <Loading what="overrides" /> : null}
        {overrides.data ? (
          <OverrideTables data={overrides.data} onRemove={(id, label, from) => void remove(id, label, from)} />
        ) : null}
      </Card>
      <Catalog loaded={catalog} />
    </div>
  );
}

function OverrideTables({ data, onRemove }: { data: Overrides; onRemove: (id: string, label: string, from: string) => void }) {
  if (data.discounts.length === 0 && data.custom_prices.length === 0) {
    return <Empty>No overrides: every call is priced at list. Add a negotiated discount (percent off by provider and model) or a price for a fine-tuned or self-hosted model.</Empty>;
  }
  return (
    <div className="table-wrap">
    <table className="data" data-testid="overrides-table">
      <thead>
        <tr>
          <th>Kind</th>
          <th>Provider</th>
          <th>Models</th>
          <th>Price</th>
          <th>From</th>
          <th>Until</th>
          <th>Note</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {data.discounts.map((d, i) => {
          const label = `the ${d.percent}% discount${d.provider ? ` on ${d.provider}` : ''}`;
          return (
            <tr key={d.id ?? `hand-${i}`} data-testid={`discount-${d.id ?? i}`}>
              <td>discount</td>
              <td>{d.provider ?? <span className="muted">every provider</span>}</td>
              <td>{d.models?.join(', ') ?? <span className="muted">every model</span>}</td>
              <td>{d.percent}% off list</td>
              <td>{d.effective_from}</td>
              <td>{d.effective_to ?? <span className="muted">open-ended</span>}</td>
              <td>{d.note ?? ''}</td>
              <td>
                {d.id ? (
                  <button type="button" className="danger" onClick={() => onRemove(d.id!, label, d.effective_from)} data-testid="remove-override">
                    Remove
                  </button>
                ) : (
                  <span className="muted" title="written by hand without an id: edit price-overrides.json to remove it">
                    in the file
                  </span>
                )}
              </td>
            </tr>
          );
        })}
        {data.custom_prices.map((c) => {
          const first = c.prices[0]?.effective_from ?? today();
          const latest = c.prices[c.prices.length - 1];
          return (
            <tr key={c.id} data-testid={`custom-${c.id}`}>
              <td>custom price</td>
              <td>{c.provider}</td>
              <td>{c.model}</td>
              <td>
                in ${latest?.rates['input'] ?? '–'} / out ${latest?.rates['output'] ?? '–'} per 1M
              </td>
              <td>{c.prices.map((p) => p.effective_from).join(', ')}</td>
              <td className="muted">open-ended</td>
              <td />
              <td>
                <button type="button" className="danger" onClick={() => onRemove(c.id, `the custom price of ${c.id}`, first)} data-testid="remove-override">
                  Remove
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </div>
  );
}

function DiscountForm({ onSaved, onCancel }: { onSaved: (r: RepriceRange) => void; onCancel: () => void }) {
  const [provider, setProvider] = useState('');
  const [models, setModels] = useState('');
  const [percent, setPercent] = useState('');
  const [from, setFrom] = useState(today());
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const list = models.split(/[,\s]+/).filter(Boolean);
    const body = { percent: percent.trim(), effective_from: from, ...(provider.trim() ? { provider: provider.trim() } : {}), ...(list.length ? { models: list } : {}), ...(to ? { effective_to: to } : {}), ...(note.trim() ? { note: note.trim() } : {}) };
    try {
      const r = await api<{ discount: Discount; reprice: { from: string; to: string } }>('POST', '/api/price-overrides/discounts', { body });
      onSaved({ ...r.reprice, what: `added a ${r.discount.percent}% discount` });
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="discount-form">
      <h3>New discount</h3>
      <label>
        Percent off <input required value={percent} onChange={(e) => setPercent(e.target.value)} placeholder="20" name="percent" inputMode="decimal" />
      </label>
      <label>
        Provider <input value={provider} onChange={(e) => setProvider(e.target.value)} placeholder="every provider (or openai)" name="provider" />
      </label>
      <label>
        Models <input value={models} onChange={(e) => setModels(e.target.value)} placeholder="every model (or gpt-4o*, a trailing * is a prefix)" name="models" />
      </label>
      <label>
        From <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} name="from" />
      </label>
      <label>
        Until (exclusive) <input type="date" value={to} onChange={(e) => setTo(e.target.value)} name="to" />
      </label>
      <label>
        Note <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="contract reference" name="note" />
      </label>
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="primary">
          Save discount
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function CustomPriceForm({ onSaved, onCancel }: { onSaved: (r: RepriceRange) => void; onCancel: () => void }) {
  const [f, setF] = useState({ provider: '', model: '', input: '', output: '', cache_read: '', cache_write: '', effective_from: today() });
  const [error, setError] = useState<Error>();
  const field = (name: keyof typeof f) => ({ name, value: f[name], onChange: (e: { target: { value: string } }) => setF({ ...f, [name]: e.target.value }) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const body = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.trim().replace(/^\$/, '')]).filter(([, v]) => v !== ''));
    try {
      const r = await api<{ custom_price: CustomPrice; reprice: { from: string; to: string } }>('POST', '/api/price-overrides/custom-prices', { body });
      onSaved({ ...r.reprice, what: `set a custom price for ${r.custom_price.id}` });
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="form" onSubmit={(e) => void submit(e)} data-testid="custom-price-form">
      <h3>New custom price (fine-tuned or self-hosted model)</h3>
      <label>
        Provider <input required {...field('provider')} placeholder="openai, or your own name (my-vllm)" />
      </label>
      <label>
        Model <input required {...field('model')} placeholder="as calls report it (ft:gpt-4o-mini:acme:…)" />
      </label>
      <label>
        Input $ / 1M <input required {...field('input')} inputMode="decimal" placeholder="0.30" />
      </label>
      <label>
        Output $ / 1M <input required {...field('output')} inputMode="decimal" placeholder="1.20" />
      </label>
      <label>
        Cache read $ / 1M <input {...field('cache_read')} inputMode="decimal" placeholder="= input" />
      </label>
      <label>
        Cache write $ / 1M <input {...field('cache_write')} inputMode="decimal" placeholder="= input" />
      </label>
      <label>
        From <input type="date" required {...field('effective_from')} />
      </label>
      {error ? <ErrorBox error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="primary">
          Save price
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** After a change: new calls already use it; this re-prices recorded ones, showing the dry run before applying. */
function RepriceOffer({ range, onDone }: { range: RepriceRange; onDone: () => void }) {
  const [state, setState] = useState<{ step: 'offer' | 'running' | 'previewed' | 'applied'; result?: RepriceResult; error?: Error }>({ step: 'offer' });
  const run = async (dryRun: boolean) => {
    setState((s) => ({ ...s, step: 'running', error: undefined }));
    try {
      const result = await api<RepriceResult>('POST', '/api/reprice', { body: { from: range.from, to: range.to, dry_run: dryRun, reason: `dashboard: ${range.what}` } });
      setState({ step: dryRun ? 'previewed' : 'applied', result });
    } catch (e) {
      setState({ step: 'offer', error: e as Error });
    }
  };
  const r = state.result;
  return (
    <div className="confirm" role="status" data-testid="reprice-offer" data-step={state.step}>
      <strong>Prices changed ({range.what}).</strong> New calls use them now. Calls already recorded from {range.from} keep their old cost unless you re-price them.
      {r ? (
        <p data-testid="reprice-result">
          {state.step === 'applied' ? 'Re-priced' : 'Would re-price'} {formatCount(r.changed)} of {formatCount(r.considered)} calls: <Money value={r.totals.old_cost} /> → <Money value={r.totals.new_cost} /> (
          <span data-testid="reprice-difference">{r.totals.difference}</span> USD).
        </p>
      ) : null}
      {state.error ? <ErrorBox error={state.error} /> : null}
      <div className="form-actions">
        {state.step === 'offer' || state.step === 'running' ? (
          <button type="button" className="primary" disabled={state.step === 'running'} onClick={() => void run(true)} data-testid="reprice-preview">
            Apply to past calls…
          </button>
        ) : null}
        {state.step === 'previewed' ? (
          <button type="button" className="primary" disabled={r?.changed === 0} onClick={() => void run(false)} data-testid="reprice-apply">
            Apply to {formatCount(r?.changed ?? 0)} calls
          </button>
        ) : null}
        <button type="button" onClick={onDone}>
          {state.step === 'applied' ? 'Done' : 'Not now'}
        </button>
      </div>
    </div>
  );
}

function Catalog({ loaded }: { loaded: Loaded<{ price_version: string; models: CatalogRow[] }> }) {
  const [provider, setProvider] = useState('');
  const [search, setSearch] = useState('');
  const models = loaded.data?.models;
  const providers = useMemo(() => [...new Set((models ?? []).map((m) => m.provider))].sort(), [models]);
  const rows = useMemo(() => {
    const q = search.trim().toLowerCase();
    return (models ?? []).filter((m) => (!provider || m.provider === provider) && (!q || m.model.toLowerCase().includes(q)));
  }, [models, provider, search]);
  return (
    <Card title="Catalog" actions={loaded.data ? <span className="muted" title="changes whenever prices or overrides change; every ledger record names the version that priced it">price version {loaded.data.price_version}</span> : null}>
      <form className="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          Provider
          <select value={provider} onChange={(e) => setProvider(e.target.value)} data-testid="catalog-provider">
            <option value="">all</option>
            {providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="search" data-testid="catalog-search" />
        </label>
      </form>
      {loaded.error ? <ErrorBox error={loaded.error} onRetry={loaded.reload} /> : null}
      {!loaded.data && !loaded.error ? <Loading what="the catalog" /> : null}
      {models ? (
        <>
          <p className="muted">
            {formatCount(rows.length)} models; USD per 1M tokens, list prices before discounts{rows.length > SHOWN_ROWS ? `; the first ${SHOWN_ROWS} shown, narrow with the filters` : ''}.
          </p>
          <div className="table-wrap">
            <table className="data" data-testid="catalog-table">
              <thead>
                <tr>
                  <th>Provider</th>
                  <th>Model</th>
                  <th className="num">Input</th>
                  <th className="num">Cache read</th>
                  <th className="num">Cache write</th>
                  <th className="num">Output</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, SHOWN_ROWS).map((m) => (
                  <tr key={`${m.provider}/${m.model}`}>
                    <td>{m.provider}</td>
                    <td>
                      {m.model} {m.custom ? <span className="pill">custom</span> : null}
                    </td>
                    <td className="num">{usd(m.input)}</td>
                    <td className="num">{cacheRate(m.cache_read)}</td>
                    <td className="num">{cacheRate(m.cache_write)}</td>
                    <td className="num">{usd(m.output)}</td>
                    <td>{m.effective_from ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}
