/** A sortable table: click a header to sort by it, again to reverse. */
import { useMemo, useState, type ReactNode } from 'react';
import { compareMoney } from '../lib/money';

export interface Column<T> {
  key: string;
  label: string;
  render: (row: T) => ReactNode;
  /** Sort value; money columns compare exactly. */
  sort?: (row: T) => string | number | null;
  money?: boolean;
  numeric?: boolean;
}

export function DataTable<T>({ columns, rows, initialSort, rowKey, onRowClick, testId, selectedKey }: { columns: Column<T>[]; rows: T[]; initialSort?: { key: string; desc: boolean }; rowKey: (row: T, i: number) => string; onRowClick?: (row: T) => void; testId?: string; selectedKey?: string }) {
  const [sort, setSort] = useState(initialSort);
  const sorted = useMemo(() => {
    const col = columns.find((c) => c.key === sort?.key);
    if (!col?.sort || !sort) return rows;
    const get = col.sort;
    const out = [...rows].sort((a, b) => {
      const x = get(a);
      const y = get(b);
      if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
      if (y === null || y === undefined) return -1;
      const c = col.money ? compareMoney(String(x), String(y)) : typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -c : c;
    });
    return out;
  }, [rows, sort, columns]);
  return (
    <div className="table-wrap">
      <table className="data" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} className={c.money || c.numeric ? 'num' : ''} aria-sort={sort?.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                {c.sort ? (
                  <button type="button" className="th-sort" onClick={() => setSort((s) => ({ key: c.key, desc: s?.key === c.key ? !s.desc : c.money || c.numeric ? true : false }))}>
                    {c.label}
                    <span className="sort-mark">{sort?.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                ) : (
                  c.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((r, i) => {
            const k = rowKey(r, i);
            return (
              <tr key={k} className={`${onRowClick ? 'clickable' : ''} ${selectedKey === k ? 'selected' : ''}`} onClick={onRowClick ? () => onRowClick(r) : undefined}>
                {columns.map((c) => (
                  <td key={c.key} className={c.money || c.numeric ? 'num' : ''}>
                    {c.render(r)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
